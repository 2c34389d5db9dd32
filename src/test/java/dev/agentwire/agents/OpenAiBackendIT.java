package dev.agentwire.agents;

import static dev.agentwire.it.ModelServer.chunk;
import static dev.agentwire.it.ModelServer.finish;
import static dev.agentwire.it.ModelServer.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.ModelServer;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentwire with the OpenAI-compatible backend, against a model server in this test that speaks
 * the streaming format (server-sent events, data: chunks, [DONE]): text, a tool call, a
 * malformed chunk, a stream too slow for the timeout; then a backend that fails some calls, one
 * that fails all of them and recovers, one that rate-limits, and one that is gone. The circuit
 * breaker keeps its production window (20 calls, half failing); its delay and the probe's
 * interval are short here to keep the test quick.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiBackendIT {

    @TempDir
    static Path workDir;

    static ModelServer model;
    static PayaraProcess payara;
    /** When set, the model server fails every call: 500s and dropped connections, /models included. */
    static volatile boolean down;

    @BeforeAll
    static void start() throws Exception {
        model = ModelServer.start(OpenAiBackendIT::answer);
        payara = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens(model.backendOptions(
                "-Ddev.agentwire.agents.control.ModelCircuit/call/Timeout/value=2000",
                "-Ddev.agentwire.agents.control.ModelCircuit/call/CircuitBreaker/delay=2000",
                "-Dagentwire.openai.probe-interval-seconds=1",
                "-Dagentwire.openai.retry-after-seconds=3"))).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
        model.close();
    }

    @Test
    @Order(1)
    void streamedTextBecomesDeltasBetweenStartedAndCompleted() {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            client.chat("say hello");
            client.expect("ack");
            List<JsonObject> run = client.run();
            assertEquals(List.of("agent_started", "agent_thinking", "agent_message_delta", "agent_message_delta",
                    "agent_message_delta", "agent_completed"), types(run));
            assertEquals("openai:test-model", run.get(0).getString("agent"));
            assertEquals(List.of("Hel", "lo", " there"), run.subList(2, 5).stream().map(e -> e.getString("text")).toList());
            assertEquals("Hello there", run.get(5).getString("text"));
            assertEquals("test-model", model.requests.get(model.requests.size() - 1).getString("model"));
            assertTrue(model.requests.get(model.requests.size() - 1).getBoolean("stream"));
        }
    }

    @Test
    @Order(2)
    void toolCallsRunTheCalculatorAndTheAnswerFollows() {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            client.chat("use the tool for 6*7");
            client.expect("ack");
            List<JsonObject> run = client.run();
            assertEquals(List.of("agent_started", "agent_thinking", "tool_executing", "tool_completed",
                    "agent_message_delta", "agent_completed"), types(run));
            assertEquals("6*7", run.get(2).getJsonObject("input").getString("expression"));
            assertEquals("42", run.get(3).getString("output"));
            assertEquals("The answer is 42", run.get(5).getString("text"));
            JsonObject second = model.requests.get(model.requests.size() - 1);
            JsonObject toolResult = second.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                    .filter(m -> m.getString("role").equals("tool")).findFirst().orElseThrow();
            assertEquals("42", toolResult.getString("content"));
            assertEquals("call_1", toolResult.getString("tool_call_id"));
        }
    }

    @Test
    @Order(3)
    void malformedChunkIsSkippedAndTheRunCompletes() {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            client.chat("send a malformed chunk");
            client.expect("ack");
            List<JsonObject> run = client.run();
            assertEquals("agent_completed", run.get(run.size() - 1).getString("type"));
            assertEquals("Hello world", run.get(run.size() - 1).getString("text"));
        }
    }

    @Test
    @Order(4)
    void earlierMessagesOfTheThreadAreSentAsContext() {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            client.chat("say hello");
            String threadId = client.expect("ack").getString("thread_id");
            client.run();
            client.chat("and again", threadId);
            client.run();
            List<String> conversation = model.requests.get(model.requests.size() - 1).getJsonArray("messages").getValuesAs(JsonObject.class)
                    .stream().map(m -> m.getString("role") + ":" + m.getString("content")).toList();
            assertEquals(List.of("user:say hello", "assistant:Hello there", "user:and again"), conversation.subList(1, 4));
        }
    }

    @Test
    @Order(5)
    void slowStreamTimesOutAsARetryableAgentError() {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            client.chat("be slow");
            client.expect("ack");
            List<JsonObject> run = client.run();
            JsonObject error = run.get(run.size() - 1);
            assertEquals("agent_error", error.getString("type"));
            assertEquals("AGENT_UNAVAILABLE", error.getString("code"));
            assertTrue(error.getBoolean("retryable"));
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
    }

    @Test
    @Order(6)
    void cancelledRunsAreNoBackendFailures() {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("cancelling-user"))) {
            for (int i = 0; i < 21; i++) { // more than the breaker's window, every one cut off mid-stream
                client.chat("be slow");
                client.expect("ack");
                String runId = client.expect("agent_started").getString("run_id");
                client.expect("agent_thinking");
                client.expect("agent_message_delta"); // the model is streaming
                client.send("{\"type\":\"cancel\",\"run_id\":\"" + runId + "\"}");
                List<JsonObject> rest = client.until(f -> f.getString("type").startsWith("agent_completed")
                        || f.getString("type").equals("agent_error"));
                assertEquals("cancelled", rest.get(rest.size() - 1).getString("status", ""), rest.toString());
            }
            client.chat("say hello");
            client.expect("ack");
            List<JsonObject> run = client.run();
            assertEquals("Hello there", run.get(run.size() - 1).getString("text", ""), "the breaker did not open: " + run);
        }
    }

    @Test
    @Order(7)
    void aShareOfFailingCallsDoesNotOpenTheCircuit() throws Exception {
        int completed = 0;
        List<String> failures = new ArrayList<>();
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            for (int i = 0; i < 24; i++) {
                // one call in four fails, as a busy backend's might: an HTTP 500 or a dropped connection
                String text = i % 8 == 3 ? "fail with 500" : i % 8 == 7 ? "drop the connection" : "say hello";
                client.chat(text);
                client.expect("ack");
                List<JsonObject> run = client.run();
                JsonObject last = run.get(run.size() - 1);
                if (last.getString("type").equals("agent_completed")) {
                    completed++;
                } else {
                    assertEquals("AGENT_UNAVAILABLE", last.getString("code"), last.toString());
                    assertTrue(last.getBoolean("retryable"));
                    failures.add(last.getString("message"));
                }
            }
        }
        assertEquals(18, completed, failures.toString());
        assertEquals(6, failures.size());
        assertTrue(failures.stream().allMatch(m -> m.contains("cannot be reached")), failures.toString());
        assertEquals(200, payara.readiness().statusCode());
        assertEquals("closed", agentCheck().getJsonObject("data").getString("circuit"));
    }

    @Test
    @Order(8)
    void aFailingBackendOpensTheCircuitReadinessStaysUpAndAProbeClosesItWithoutAChat() throws Exception {
        String token = TestTokens.valid("model-user");
        down = true;
        model.modelsDown = true;
        int runs = 0;
        int callsWhenRefused = -1;
        try (var client = ChatClient.ready(payara.server().chat(), token)) {
            int callsSinceDown = 0;
            while (runs < 30) {
                int callsBefore = model.chatCalls.get();
                client.chat("say hello");
                client.expect("ack");
                List<JsonObject> run = client.run();
                runs++;
                JsonObject error = run.get(run.size() - 1);
                assertEquals("AGENT_UNAVAILABLE", error.getString("code"), error.toString());
                assertTrue(error.getBoolean("retryable"));
                assertEquals(200, payara.readiness().statusCode(), "history and sessions are still served");
                if (error.getString("message").contains("not called for a while")) {
                    callsWhenRefused = model.chatCalls.get() - callsBefore;
                    break;
                }
                callsSinceDown += model.chatCalls.get() - callsBefore;
            }
            assertEquals(0, callsWhenRefused, "the open circuit refused the run without calling the model; runs: " + runs);
            assertTrue(callsSinceDown <= 20, "opened within one window of calls: " + callsSinceDown);
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
        JsonObject check = agentCheck();
        assertEquals("UP", check.getString("status"));
        assertEquals("open", check.getJsonObject("data").getString("circuit"), check.toString());
        assertEquals(200, payara.server().get("api/threads", token).statusCode());

        // while the backend stays down, the probe finds it down and the circuit stays open
        int probes = model.modelsCalls.get();
        awaitTrue(() -> model.modelsCalls.get() > probes, "a probe reached the down backend");
        assertEquals("open", agentCheck().getJsonObject("data").getString("circuit"));

        down = false;
        model.modelsDown = false;
        int chatsBefore = model.chatCalls.get();
        awaitTrue(() -> "closed".equals(agentCheck().getJsonObject("data").getString("circuit")),
                "the probe closes the circuit once the backend answers");
        assertEquals(chatsBefore, model.chatCalls.get(), "no chat was needed to close it");
        assertEquals("succeeded", agentCheck().getJsonObject("data").getString("last_call"));
        assertEquals(200, payara.readiness().statusCode());

        try (var client = ChatClient.ready(payara.server().chat(), token)) {
            client.chat("say hello");
            client.expect("ack");
            List<JsonObject> run = client.run();
            assertEquals("Hello there", run.get(run.size() - 1).getString("text"), run.toString());
        }
    }

    @Test
    @Order(9)
    void rateLimitedCallsEndWithTheBackendsWaitAndDoNotOpenTheCircuit() throws Exception {
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            for (int i = 0; i < 25; i++) { // more than the breaker's window, all refused by the backend
                client.chat("rate limit me");
                client.expect("ack");
                List<JsonObject> run = client.run();
                JsonObject error = run.get(run.size() - 1);
                assertEquals("AGENT_UNAVAILABLE", error.getString("code"), error.toString());
                assertTrue(error.getBoolean("retryable"));
                assertEquals("The model backend is busy; retry in 7 s.", error.getString("message"));
                assertEquals(7, error.getJsonNumber("retry_after").longValue());
            }
            client.chat("rate limit me without a wait");
            client.expect("ack");
            List<JsonObject> unnamed = client.run();
            assertEquals(3, unnamed.get(unnamed.size() - 1).getJsonNumber("retry_after").longValue());
            assertEquals("The model backend is busy; retry in 3 s.", unnamed.get(unnamed.size() - 1).getString("message"),
                    "the configured default when the backend names no wait");

            JsonObject data = agentCheck().getJsonObject("data");
            assertEquals("closed", data.getString("circuit"));
            assertEquals("rate_limited", data.getString("last_call"));
            client.chat("say hello");
            client.expect("ack");
            List<JsonObject> run = client.run();
            assertEquals("agent_completed", run.get(run.size() - 1).getString("type"), "the breaker did not open: " + run);
        }
    }

    @Test
    @Order(10)
    void modelServerGoneEndsRunsAsUnavailableReadinessStaysUpAndTheSessionStays() throws Exception {
        model.close();
        double before = payara.server().metric("agentwire_agent_unavailable_total", null);
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            for (int i = 0; i < 3; i++) {
                client.chat("anyone there?");
                client.expect("ack");
                List<JsonObject> run = client.run();
                JsonObject error = run.get(run.size() - 1);
                assertEquals("AGENT_UNAVAILABLE", error.getString("code"));
                assertTrue(error.getBoolean("retryable"));
                assertEquals("The model backend cannot be reached; retry in a while.", error.getString("message"));
                assertFalse(error.containsKey("retry_after"));
            }
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
        assertEquals(200, payara.readiness().statusCode(), payara.readiness().body());
        JsonObject check = agentCheck();
        assertEquals("UP", check.getString("status"));
        assertTrue(check.getJsonObject("data").containsKey("last_failure"), check.toString());
        assertEquals(before + 3, payara.server().metric("agentwire_agent_unavailable_total", null));
        assertTrue(payara.server().get("metrics?scope=base").statusCode() < 500);
    }

    /** The agentwire-agent check of /health/ready. */
    private static JsonObject agentCheck() {
        try {
            JsonObject health = Json.createReader(new StringReader(payara.readiness().body())).readObject();
            return health.getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                    .filter(c -> c.getString("name").equals("agentwire-agent")).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what + "; agent check: " + agentCheck());
            }
            Thread.sleep(100);
        }
    }

    private static List<String> types(List<JsonObject> run) {
        return run.stream().map(e -> e.getString("type")).toList();
    }

    /** The fake model: picks a behaviour from the last user message, or fails every call while down. */
    private static void answer(HttpExchange exchange, JsonObject request, int call) throws IOException {
        List<JsonObject> messages = request.getJsonArray("messages").getValuesAs(JsonObject.class);
        String last = ModelServer.lastUserText(request);
        boolean toolAnswered = messages.get(messages.size() - 1).getString("role").equals("tool");
        if (last.contains("fail with 500") || (down && call % 2 == 0)) {
            ModelServer.fail(exchange, 500, null);
            return;
        }
        if (last.contains("drop the connection") || down) {
            exchange.close(); // before any response: the server closes the connection
            return;
        }
        if (last.contains("rate limit me")) {
            ModelServer.fail(exchange, 429, last.contains("without a wait") ? null : "7");
            return;
        }
        try (OutputStream out = ModelServer.stream(exchange)) {
            if (toolAnswered) {
                text(out, "The answer is " + messages.get(messages.size() - 1).getString("content"));
                finish(out, "stop");
            } else if (last.contains("use the tool")) {
                chunk(out, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"{\\\"expres\"}}]}}]}");
                chunk(out, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"sion\\\":\\\"6*7\\\"}\"}}]}}]}");
                finish(out, "tool_calls");
            } else if (last.contains("malformed")) {
                text(out, "Hello");
                out.write("data: {\"choices\":[{\"delta\":\n\n".getBytes(StandardCharsets.UTF_8));
                text(out, " world");
                finish(out, "stop");
            } else if (last.contains("be slow")) {
                text(out, "Let me think");
                ModelServer.sleep(5_000);
                finish(out, "stop");
            } else {
                text(out, "Hel");
                text(out, "lo");
                text(out, " there");
                finish(out, "stop");
            }
        }
    }
}
