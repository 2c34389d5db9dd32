package dev.agentwire.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * malformed chunk, a stream too slow for the timeout, and a backend that is down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenAiBackendIT {

    @TempDir
    static Path workDir;

    static HttpServer model;
    static PayaraProcess payara;
    static final List<JsonObject> requests = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        model = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        model.createContext("/v1/chat/completions", OpenAiBackendIT::answer);
        model.start();
        payara = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens(
                "-Dagentwire.agent.backend=openai",
                "-Dagentwire.openai.base-url=http://127.0.0.1:" + model.getAddress().getPort() + "/v1",
                "-Dagentwire.openai.model=test-model",
                "-Ddev.agentwire.agents.control.ModelClient/stream/Timeout/value=2000")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
        model.stop(0);
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
            assertEquals("test-model", requests.get(requests.size() - 1).getString("model"));
            assertTrue(requests.get(requests.size() - 1).getBoolean("stream"));
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
            JsonObject second = requests.get(requests.size() - 1);
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
            List<String> conversation = requests.get(requests.size() - 1).getJsonArray("messages").getValuesAs(JsonObject.class)
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
    void backendDownOpensTheCircuitReadinessGoesDownAndTheSessionStays() throws Exception {
        model.stop(0);
        double before = payara.server().metric("agentwire_agent_unavailable_total", null);
        try (var client = ChatClient.ready(payara.server().chat(), TestTokens.valid("model-user"))) {
            for (int i = 0; i < 3; i++) {
                client.chat("anyone there?");
                client.expect("ack");
                List<JsonObject> run = client.run();
                JsonObject error = run.get(run.size() - 1);
                assertEquals("AGENT_UNAVAILABLE", error.getString("code"));
                assertTrue(error.getBoolean("retryable"));
            }
            List<JsonObject> last = client.chat("anyone there?").run();
            assertTrue(last.get(last.size() - 1).getString("message").contains("unavailable"), last.toString());
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
        assertEquals(503, payara.readiness().statusCode());
        assertTrue(payara.readiness().body().contains("\"agentwire-agent\",\"status\":\"DOWN\""), payara.readiness().body());
        assertEquals(before + 4, payara.server().metric("agentwire_agent_unavailable_total", null));
        assertTrue(payara.server().get("metrics?scope=base").statusCode() < 500);
    }

    private static List<String> types(List<JsonObject> run) {
        return run.stream().map(e -> e.getString("type")).toList();
    }

    /** The fake model: picks a behaviour from the last user message. */
    private static void answer(HttpExchange exchange) throws IOException {
        JsonObject request = Json.createReader(new StringReader(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))).readObject();
        requests.add(request);
        List<JsonObject> messages = request.getJsonArray("messages").getValuesAs(JsonObject.class);
        String last = messages.stream().filter(m -> m.getString("role").equals("user")).reduce((a, b) -> b).orElseThrow().getString("content");
        boolean toolAnswered = messages.get(messages.size() - 1).getString("role").equals("tool");
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
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
                sleep(5_000);
                finish(out, "stop");
            } else {
                text(out, "Hel");
                text(out, "lo");
                text(out, " there");
                finish(out, "stop");
            }
        } catch (IOException closedByClient) {
            // the gateway gave up on a slow stream
        }
    }

    private static void text(OutputStream out, String text) throws IOException {
        chunk(out, Json.createObjectBuilder().add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                .add("index", 0).add("delta", Json.createObjectBuilder().add("content", text)))).build().toString());
    }

    private static void finish(OutputStream out, String reason) throws IOException {
        chunk(out, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}]}");
        out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }

    private static void chunk(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
