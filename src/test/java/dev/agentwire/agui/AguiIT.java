package dev.agentwire.agui;

import static dev.agentwire.it.ModelServer.finish;
import static dev.agentwire.it.ModelServer.text;
import static dev.agentwire.it.ModelServer.toolCall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.agentwire.it.ModelServer;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * agentwire driven by AG-UI's own TypeScript client (@ag-ui/client 1.0.0, pinned in
 * src/test/agui/package-lock.json and installed by the build): each test runs one scenario of
 * src/test/agui/agui-client.mjs in Node against a Payara Micro with the OpenAI-compatible backend
 * and a model server in this test. The client validates every event and verifies the stream's
 * order itself: a run it accepts is a run any AG-UI front end accepts.
 */
class AguiIT {

    @TempDir
    static Path workDir;

    static ModelServer model;
    static PayaraProcess payara;

    @BeforeAll
    static void start() throws Exception {
        model = ModelServer.start(AguiIT::answer);
        payara = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens(
                model.backendOptions("-Dmp.jwt.verify.clock.skew=0", "-Dagentwire.agui.streams-per-user-max=3"))).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
        model.close();
    }

    @Test
    void calculatorRunEndToEndIsAcceptedByTheClient() throws Exception {
        JsonObject outcome = scenario("calculator", "calc-user");
        assertEquals(List.of("RUN_STARTED", "REASONING_START", "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT",
                "REASONING_MESSAGE_END", "REASONING_END", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END",
                "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"),
                strings(outcome.getJsonArray("types")));
        JsonArray messages = outcome.getJsonArray("messages");
        JsonObject tool = find(messages, "tool");
        assertEquals("84", tool.getString("content"));
        JsonObject assistant = find(messages, "assistant");
        assertEquals("12*(3+4) = 84", assistant.getString("content"));
        assertEquals("calculator", assistant.getJsonArray("toolCalls").getJsonObject(0).getJsonObject("function").getString("name"));
    }

    /**
     * The model calls save_note, which waits for approval: the client accepts the interrupt outcome
     * and builds the resume entries itself; both pass @ag-ui/core's schemas; the continuing run
     * sends the result against the model's call id; a replayed body and another answer run nothing.
     */
    @Test
    void aToolCallWaitingForApprovalIsAnInterruptAndItsResumeRunsTheCallOnce() throws Exception {
        JsonObject outcome = scenario("approval", "agui-approval-user");
        assertTrue(outcome.getJsonObject("first").isNull("error"), outcome::toString);
        JsonObject finished = outcome.getJsonObject("finished");
        assertEquals("RUN_FINISHED", finished.getString("type"));
        JsonObject interrupt = finished.getJsonObject("outcome").getJsonArray("interrupts").getJsonObject(0);
        assertEquals("interrupt", finished.getJsonObject("outcome").getString("type"));
        assertEquals("tool_approval", interrupt.getString("reason"));
        assertEquals("call_note", interrupt.getString("toolCallId"));
        assertEquals("Save a note: I like tea", interrupt.getString("message"));
        assertEquals("save_note", interrupt.getJsonObject("metadata").getString("tool"));
        assertTrue(outcome.getBoolean("interruptValid"), "RUN_FINISHED passes @ag-ui/core's schema");
        assertEquals(1, outcome.getJsonArray("pending").size(), "the client holds the interrupt as pending");
        List<String> first = strings(outcome.getJsonObject("first").getJsonArray("types"));
        assertEquals(List.of("TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "RUN_FINISHED"),
                first.subList(first.size() - 4, first.size()));

        assertEquals(200, outcome.getJsonObject("refusedWithoutResume").getInt("status"));
        assertTrue(outcome.getJsonObject("refusedWithoutResume").getString("body").contains("\"code\":\"APPROVAL_PENDING\""),
                outcome::toString);

        assertTrue(outcome.getBoolean("inputValid"), "the resume body passes @ag-ui/core's RunAgentInput schema");
        JsonObject second = outcome.getJsonObject("second");
        assertTrue(second.isNull("error"), second::toString);
        JsonObject result = second.getJsonArray("events").getValuesAs(JsonObject.class).stream()
                .filter(e -> e.getString("type").equals("TOOL_CALL_RESULT")).findFirst().orElseThrow();
        assertEquals("call_note", result.getString("toolCallId"));
        assertTrue(result.getString("content").startsWith("Saved note "), result::toString);
        assertTrue(result.getString("content").endsWith(": I like green tea"), result::toString);
        assertEquals(0, outcome.getInt("pendingAfter"));
        List<String> secondTypes = strings(second.getJsonArray("types"));
        assertEquals("RUN_FINISHED", secondTypes.get(secondTypes.size() - 1));

        assertEquals(200, outcome.getJsonObject("secondTab").getInt("status"));
        String joined = outcome.getJsonObject("secondTab").getString("body");
        assertTrue(joined.contains("\"RUN_STARTED\"") && joined.contains("Saved note ") && joined.contains("\"RUN_FINISHED\""),
                "a second tab joins the continuing run by its id: " + joined);
        assertTrue(outcome.getString("replay").contains("Saved note "), "a replayed body streams the first answer's run");
        assertTrue(outcome.getString("answeredOtherwise").contains("\"code\":\"INTERRUPT_ANSWERED\""), outcome::toString);
        JsonArray saved = payara.server().getJson("api/notes", TestTokens.valid("agui-approval-user")).getJsonArray("items");
        assertEquals(1, saved.size(), saved::toString);
        assertEquals("I like green tea", saved.getJsonObject(0).getString("text"));
    }

    @Test
    void aStreamedAnswerArrivesInDeltas() throws Exception {
        JsonObject outcome = scenario("deltas", "delta-user");
        List<String> types = strings(outcome.getJsonArray("types"));
        assertEquals(3, types.stream().filter("TEXT_MESSAGE_CONTENT"::equals).count(), types.toString());
        assertEquals("Hello there", outcome.getString("answer"));
        assertEquals("RUN_FINISHED", types.get(types.size() - 1));
    }

    @Test
    void aFrontEndToolCallEndsTheRunAndItsResultGoesToTheModelInTheNextRun() throws Exception {
        JsonObject outcome = scenario("frontendTool", "tool-user");
        List<String> first = strings(outcome.getJsonObject("first").getJsonArray("types"));
        assertEquals(List.of("TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "RUN_FINISHED"),
                first.subList(first.size() - 4, first.size()));
        JsonObject finished = last(outcome.getJsonObject("first").getJsonArray("events"));
        assertEquals("call_weather", finished.getJsonObject("outcome").getJsonArray("pendingToolCallIds").getString(0));
        assertEquals("{\"city\":\"Oslo\"}", outcome.getJsonObject("call").getJsonObject("function").getString("arguments"));
        assertEquals("It is sunny in Oslo, 21 C.", outcome.getString("answer"));

        JsonObject followUp = model.requests.stream().filter(r -> lastMessage(r).getString("role").equals("tool")
                && lastMessage(r).getString("content").equals("sunny, 21 C")).findFirst().orElseThrow();
        List<JsonObject> sent = followUp.getJsonArray("messages").getValuesAs(JsonObject.class);
        JsonObject call = sent.get(sent.size() - 2);
        assertEquals("assistant", call.getString("role"));
        assertEquals("call_weather", call.getJsonArray("tool_calls").getJsonObject(0).getString("id"));
        assertEquals("call_weather", lastMessage(followUp).getString("tool_call_id"));
        assertTrue(followUp.getJsonArray("tools").getValuesAs(JsonObject.class).stream()
                .anyMatch(t -> t.getJsonObject("function").getString("name").equals("get_weather")));
    }

    @Test
    void aStreamCutMidRunIsJoinedAgainWithLastEventIdAndEveryEventArrivesOnce() throws Exception {
        int callsBefore = model.chatCalls.get();
        JsonObject outcome = scenario("resume", "resume-user");
        assertEquals("one two three four five six seven eight nine ten", outcome.getString("answer").strip());
        assertEquals(1, model.chatCalls.get() - callsBefore, "the second request started no run");

        assertTrue(outcome.getInt("streamedOverMillis") >= 400, "the deltas arrived as the model wrote them, 300 ms apart: "
                + outcome.getInt("streamedOverMillis") + " ms");
        List<String> firstIds = strings(outcome.getJsonArray("firstIds"));
        List<JsonObject> second = outcome.getJsonArray("secondIds").getValuesAs(JsonObject.class);
        assertEquals("RUN_STARTED", second.get(0).getString("type"));
        assertEquals("MESSAGES_SNAPSHOT", second.get(1).getString("type"));
        assertEquals("TEXT_MESSAGE_START", second.get(2).getString("type"), "the open answer is opened again");
        List<String> secondIds = second.stream().filter(e -> e.get("id") instanceof JsonString).map(e -> e.getString("id")).toList();
        Set<String> all = new HashSet<>(firstIds);
        for (String id : secondIds) {
            assertTrue(all.add(id), "event " + id + " was sent twice");
        }
        assertEquals(outcome.getString("lastEventId"), firstIds.get(firstIds.size() - 1));
        assertTrue(seqOf(secondIds.get(0)) >= seqOf(outcome.getString("lastEventId")), "the rest starts after the cursor");
        assertEquals("RUN_FINISHED", second.get(second.size() - 1).getString("type"));
        List<String> secondTypes = strings(outcome.getJsonObject("second").getJsonArray("types"));
        assertEquals("RUN_FINISHED", secondTypes.get(secondTypes.size() - 1), "the client accepted the joined stream");
        assertTrue(outcome.getJsonObject("second").isNull("error"));
    }

    @Test
    void anotherUsersThreadIsRefusedBeforeTheStream() throws Exception {
        JsonObject outcome = scenario("otherUsersThread", "thread-owner");
        JsonObject error = outcome.getJsonObject("error");
        assertEquals(404, error.getInt("status"));
        assertEquals("THREAD_NOT_FOUND", error.getJsonObject("payload").getString("code"));
        assertTrue(outcome.getJsonArray("types").isEmpty());
    }

    /** Bodies at hostile sizes: each a structured client error, never a server error, and nothing stored. */
    @Test
    void hostileBodiesAreClearClientErrors() throws Exception {
        String token = TestTokens.valid("hostile-user");
        String ids = "\"threadId\":\"" + UUID.randomUUID() + "\",\"runId\":\"" + UUID.randomUUID() + "\",\"tools\":[],\"context\":[]";
        String message = "{\"id\":\"m-" + UUID.randomUUID() + "\",\"role\":\"user\",\"content\":";
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("413 PAYLOAD_TOO_LARGE", "{" + ids + ",\"messages\":[" + message + "\"" + "x".repeat(2 << 20) + "\"}]}");
        bodies.put("400 VALIDATION_FAILED", "{" + ids + ",\"messages\":[" + message + "\"" + "x".repeat(900 << 10) + "\"}]}");
        bodies.put("400 INVALID_REQUEST", "{" + ids + ",\"messages\":[" + message + "\"hi\"}],\"state\":"
                + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        bodies.put("400 INVALID_REQUEST ", "{" + ids + ",\"messages\":[" + message + "\"hi\"}],\"state\":{\"n\":"
                + "9".repeat(100_000) + "}}");
        for (var body : bodies.entrySet()) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body.getValue())).build(),
                    HttpResponse.BodyHandlers.ofString());
            String[] expected = body.getKey().strip().split(" ");
            assertEquals(Integer.parseInt(expected[0]), answer.statusCode(), answer.body());
            assertEquals(expected[1], Json.createReader(new StringReader(answer.body())).readObject().getString("code"));
        }
        assertEquals(0, payara.server().getJson("api/threads", token).getJsonArray("items").size(), "nothing stored");
    }

    @Test
    void aBadRunAgentInputIsRefusedWithAClearError() throws Exception {
        JsonObject outcome = scenario("badInput", "bad-input-user");
        JsonObject refused = outcome.getJsonObject("refused").getJsonObject("error");
        assertEquals(400, refused.getInt("status"));
        JsonObject body = refused.getJsonObject("payload");
        assertEquals("VALIDATION_FAILED", body.getString("code"));
        assertEquals("threadId", body.getJsonArray("problems").getJsonObject(0).getString("field"));
        assertFalse(body.getJsonArray("problems").getJsonObject(0).getString("message").contains("Exception"));

        JsonObject raw = outcome.getJsonObject("raw");
        assertEquals(400, raw.getInt("status"));
        List<String> fields = raw.getJsonObject("body").getJsonArray("problems").getValuesAs(JsonObject.class).stream()
                .map(p -> p.getString("field")).toList();
        assertEquals(List.of("messages", "runId"), fields);
    }

    @Test
    void aSecondTabJoinsARunByItsIdAndAnotherUserCannot() throws Exception {
        String token = TestTokens.valid("tab-user");
        String threadId = UUID.randomUUID().toString();
        String runId = UUID.randomUUID().toString();
        HttpResponse<String> first = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.createObjectBuilder().add("threadId", threadId).add("runId", runId)
                        .add("messages", Json.createArrayBuilder().add(Json.createObjectBuilder().add("id", "tab-" + runId)
                                .add("role", "user").add("content", "say hello"))).build().toString())));
        assertEquals(200, first.statusCode(), first.body());

        HttpResponse<String> joined = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui/runs/" + runId))
                .header("Authorization", "Bearer " + token).header("Last-Event-ID", "4").GET());
        assertEquals(200, joined.statusCode(), joined.body());
        List<JsonObject> events = joined.body().lines().filter(line -> line.startsWith("data:"))
                .map(line -> Json.createReader(new StringReader(line.substring(5).strip())).readObject()).toList();
        assertEquals(List.of("RUN_STARTED", "MESSAGES_SNAPSHOT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END",
                "RUN_FINISHED"), events.stream().map(e -> e.getString("type")).toList(), joined.body());
        JsonObject answer = events.get(1).getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .filter(m -> m.getString("role").equals("assistant")).findFirst().orElseThrow();
        assertEquals("Hello", answer.getString("content"), "the snapshot holds the answer up to the cursor");
        assertEquals(" there", events.get(3).getString("delta"));
        assertEquals("tab-" + runId, events.get(1).getJsonArray("messages").getJsonObject(0).getString("id"));

        HttpResponse<String> stranger = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui/runs/" + runId))
                .header("Authorization", "Bearer " + TestTokens.valid("tab-stranger")).GET());
        assertEquals(404, stranger.statusCode());
        assertEquals("RUN_NOT_FOUND", Json.createReader(new StringReader(stranger.body())).readObject().getString("code"));
    }

    /** The edges of the endpoint: no API description without a token, cursors agentwire never made, nesting where nobody reads. */
    @Test
    void theEndpointsEdgesAreClosed() throws Exception {
        assertEquals(404, payara.server().get("api/application.wadl").statusCode(), "no WADL");
        HttpResponse<String> options = HttpClient.newHttpClient().send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertFalse(options.body().contains("wadl") || options.body().contains("<application"), options.body());

        String token = TestTokens.valid("edge-user");
        String threadId = UUID.randomUUID().toString();
        String earlierRun = run(token, threadId, "say hello");
        String runId = run(token, threadId, "say hello again");
        long firstOfEarlier = seqOf(firstId(token, earlierRun));
        for (String cursor : List.of("0", " 2", "4 ", "02", "1.99", Long.toString(firstOfEarlier), "999999")) {
            HttpResponse<String> joined = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui/runs/" + runId))
                    .header("Authorization", "Bearer " + token).header("Last-Event-ID", cursor).GET());
            assertEquals(400, joined.statusCode(), "Last-Event-ID '" + cursor + "': " + joined.body());
            JsonObject body = Json.createReader(new StringReader(joined.body())).readObject();
            assertEquals("VALIDATION_FAILED", body.getString("code"));
            assertEquals("Last-Event-ID", body.getJsonArray("problems").getJsonObject(0).getString("field"));
        }

        String deep = "[".repeat(500_000) + "]".repeat(500_000);
        HttpResponse<String> nested = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"threadId\":\"" + threadId + "\",\"runId\":\"" + UUID.randomUUID()
                        + "\",\"messages\":[],\"somethingNew\":" + deep + "}")));
        assertEquals(400, nested.statusCode(), nested.body());
        assertEquals("INVALID_REQUEST", Json.createReader(new StringReader(nested.body())).readObject().getString("code"));
    }

    /** A stream ends when the token of its request does, as a WebSocket session does; the client repeats it with a new one. */
    @Test
    void aStreamEndsWithItsToken() throws Exception {
        String token = TestTokens.rs256(TestTokens.claims("expiring-user")
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 2_000)).build());
        HttpResponse<String> stream = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(input(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                        "count slowly").toString())));
        assertEquals(200, stream.statusCode(), stream.body());
        List<JsonObject> events = events(stream.body());
        JsonObject last = events.get(events.size() - 1);
        assertEquals("RUN_ERROR", last.getString("type"), stream.body());
        assertEquals("AUTH_EXPIRED", last.getString("code"));
        assertTrue(events.stream().noneMatch(e -> e.getString("type").equals("RUN_FINISHED")));
    }

    /**
     * Twelve streams of one run asked for at the same moment, beside the one that started it: the
     * user's three (this server's agentwire.agui.streams-per-user-max) are opened, no more.
     */
    @Test
    void theStreamCapHoldsForRequestsThatComeTogether() throws Exception {
        String token = TestTokens.valid("cap-user");
        String runId = UUID.randomUUID().toString();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(13);
        var started = pool.submit(() -> send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(input(UUID.randomUUID().toString(), runId, "count slowly").toString()))));
        Thread.sleep(500);
        var start = new java.util.concurrent.CountDownLatch(1);
        List<java.util.concurrent.Future<HttpResponse<String>>> joins = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) {
            joins.add(pool.submit(() -> {
                start.await();
                return send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui/runs/" + runId))
                        .header("Authorization", "Bearer " + token).GET());
            }));
        }
        start.countDown();
        int streamed = 0;
        for (var join : joins) {
            HttpResponse<String> response = join.get(2, TimeUnit.MINUTES);
            if (response.statusCode() == 200) {
                streamed++;
                assertTrue(response.body().contains("RUN_FINISHED"), response.body());
            } else {
                assertEquals(429, response.statusCode(), response.body());
                assertEquals("RATE_LIMITED", Json.createReader(new StringReader(response.body())).readObject().getString("code"));
            }
        }
        assertEquals(200, started.get(2, TimeUnit.MINUTES).statusCode());
        pool.shutdown();
        assertEquals(2, streamed, "the run's own stream and two joins: agentwire.agui.streams-per-user-max");
    }

    private static JsonObject input(String threadId, String runId, String text) {
        return Json.createObjectBuilder().add("threadId", threadId).add("runId", runId)
                .add("messages", Json.createArrayBuilder().add(Json.createObjectBuilder().add("id", "m-" + runId)
                        .add("role", "user").add("content", text))).build();
    }

    /** Runs a chat to its end over AG-UI; its run id. */
    private static String run(String token, String threadId, String text) throws Exception {
        String runId = UUID.randomUUID().toString();
        HttpResponse<String> done = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(input(threadId, runId, text).toString())));
        assertEquals(200, done.statusCode(), done.body());
        return runId;
    }

    /** The SSE id of a run's first event, read by joining it from its start. */
    private static String firstId(String token, String runId) throws Exception {
        HttpResponse<String> whole = send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui/runs/" + runId))
                .header("Authorization", "Bearer " + token).GET());
        return whole.body().lines().filter(line -> line.startsWith("id:")).map(line -> line.substring(3).strip()).findFirst().orElseThrow();
    }

    private static List<JsonObject> events(String body) {
        return body.lines().filter(line -> line.startsWith("data:"))
                .map(line -> Json.createReader(new StringReader(line.substring(5).strip())).readObject()).toList();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request.header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs a scenario of the Node client as {@code user}; its last line of output, which must say ok. */
    private static JsonObject scenario(String name, String user) throws IOException, InterruptedException {
        Path scripts = Path.of(System.getProperty("agentwire.basedir"), "target", "agui");
        Path log = Files.createDirectories(Path.of(System.getProperty("agentwire.basedir"), "target", "it-logs"))
                .resolve("agui-" + name + ".log");
        var builder = new ProcessBuilder("node", scripts.resolve("agui-client.mjs").toString(), name)
                .directory(scripts.toFile()).redirectError(log.toFile());
        builder.environment().putAll(Map.of(
                "AGUI_URL", payara.server().http().resolve("api/agui").toString(),
                "AGUI_TOKEN", TestTokens.valid(user),
                "AGUI_OTHER_TOKEN", TestTokens.valid(user + "-stranger")));
        Path out = log.resolveSibling("agui-" + name + ".out");
        builder.redirectOutput(out.toFile()); // read after the wait, so a hung client cannot outlast it
        Process node = builder.start();
        if (!node.waitFor(2, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            throw new AssertionError("the AG-UI client did not finish: " + Files.readString(out));
        }
        String output = Files.readString(out);
        String[] lines = output.strip().split("\n");
        JsonObject outcome = Json.createReader(new StringReader(lines[lines.length - 1])).readObject();
        assertTrue(outcome.getBoolean("ok"), () -> output + "\n" + read(log));
        String warnings = read(log);
        assertFalse(warnings.contains("[ag-ui][enforce]"), "the client stripped something it does not know:\n" + warnings);
        return outcome;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static long seqOf(String id) {
        return Long.parseLong(id.contains(".") ? id.substring(0, id.indexOf('.')) : id);
    }

    private static List<String> strings(JsonArray array) {
        return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    private static JsonObject find(JsonArray messages, String role) {
        return messages.getValuesAs(JsonObject.class).stream().filter(m -> m.getString("role").equals(role)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + role + " message in " + messages));
    }

    private static JsonObject last(JsonArray events) {
        return events.getJsonObject(events.size() - 1);
    }

    private static JsonObject lastMessage(JsonObject request) {
        JsonArray messages = request.getJsonArray("messages");
        return messages.getJsonObject(messages.size() - 1);
    }

    /** The fake model: chooses by the newest message, a tool result first. */
    private static void answer(HttpExchange exchange, JsonObject request, int call) throws IOException {
        JsonObject newest = lastMessage(request);
        String question = ModelServer.lastUserText(request);
        try (OutputStream out = ModelServer.stream(exchange)) {
            if (newest.getString("role").equals("tool")) {
                String result = newest.getString("content");
                text(out, result.equals("84") ? "12*(3+4) = 84" : result.startsWith("Saved note") ? "Noted: " + result
                        : "It is sunny in Oslo, 21 C.");
                finish(out, "stop");
            } else if (question.contains("12*(3+4)")) {
                toolCall(out, "call_calc", "calculator", "{\"expression\":\"12*(3+4)\"}");
                finish(out, "tool_calls");
            } else if (question.contains("remember")) {
                toolCall(out, "call_note", "save_note", "{\"text\":\"I like tea\"}");
                finish(out, "tool_calls");
            } else if (question.contains("weather")) {
                toolCall(out, "call_weather", "get_weather", "{\"city\":\"Oslo\"}");
                finish(out, "tool_calls");
            } else if (question.contains("count slowly")) {
                for (String word : List.of("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")) {
                    text(out, word + " ");
                    ModelServer.sleep(300);
                }
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
