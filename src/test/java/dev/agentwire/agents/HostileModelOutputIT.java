package dev.agentwire.agents;

import static dev.agentwire.it.ModelServer.chunk;
import static dev.agentwire.it.ModelServer.finish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.ModelServer;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that streams hostile content, over many randomized trials: unpaired surrogates, NUL
 * and control characters in text, in tool call ids, names and arguments, JSON nested thousands
 * deep in arguments and in a chunk, characters split between chunks, a delta larger than an
 * event, and a megabyte answer past the answer's cap.
 * The model server writes every character as a JSON escape, so the gateway really receives a lone
 * {@code \ud800} or {@code \u0000}. Checked: the session stays open, what was streamed is what the
 * model sent with NUL and unpaired surrogates replaced by U+FFFD, the stored answer is the streamed
 * one, and every stored event replays (resume over the WebSocket, GET /api/threads/{id}/events)
 * byte for byte as it went out live. On H2 by default; on PostgreSQL when the build's it.db names
 * it ({@code -Ppostgres}). The seed is printed; set {@code -Dagentwire.it.seed} to repeat a run.
 */
class HostileModelOutputIT {

    static final int MAX_ANSWER = 100_000;
    static final int MAX_EVENT = 20_000;
    static final int TRIALS = Integer.getInteger("agentwire.it.trials", 40);
    static final long SEED = Long.getLong("agentwire.it.seed", System.nanoTime());
    static final List<String> KINDS = List.of("text", "tool", "large-delta", "past-the-cap");

    @TempDir
    static Path workDir;

    static ModelServer model;
    static PayaraProcess payara;
    /** What the model streamed as text, by the seed that made it. */
    static final Map<Long, String> sent = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        System.out.println("HostileModelOutputIT seed " + SEED);
        model = ModelServer.start(HostileModelOutputIT::answer);
        List<String> options = new ArrayList<>(List.of(model.backendOptions(
                "-Dagentwire.agent.max-answer-chars=" + MAX_ANSWER, "-Dagentwire.agent.max-event-chars=" + MAX_EVENT)));
        String db = System.getProperty("it.db", "");
        if (db.contains("postgresql")) {
            options.addAll(Arrays.asList(db.trim().split("\\s+")));
        }
        payara = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens(options.toArray(String[]::new))).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
        model.close();
    }

    @Test
    void hostileOutputIsStreamedStoredAndReplayedAlike() {
        String token = TestTokens.valid("hostile-user");
        Random random = new Random(SEED);
        Map<String, List<String>> liveByThread = new LinkedHashMap<>();
        try (var client = ChatClient.ready(payara.server().chat(), token)) {
            for (int trial = 0; trial < TRIALS; trial++) {
                String kind = KINDS.get(trial % KINDS.size());
                long seed = random.nextLong();
                String context = "seed " + SEED + ", trial " + trial + " (" + kind + ")";
                int before = client.texts().size();
                client.chat("hostile " + kind + " " + seed);
                String threadId = client.expect("ack").getString("thread_id");
                List<JsonObject> run = client.run();
                JsonObject last = run.get(run.size() - 1);
                if (kind.equals("past-the-cap")) {
                    assertEquals("agent_error", last.getString("type"), context);
                    assertEquals("AGENT_OUTPUT_TOO_LARGE", last.getString("code"), context);
                    assertFalse(last.getBoolean("retryable"), context);
                } else {
                    assertEquals("agent_completed", last.getString("type"), () -> context + ": " + last);
                    assertEquals("completed", last.getString("status"), context);
                }
                String streamed = run.stream().filter(e -> e.getString("type").equals("agent_message_delta"))
                        .map(e -> e.getString("text")).collect(Collectors.joining());
                assertTrue(streamed.length() <= MAX_ANSWER, context);
                if (!kind.equals("past-the-cap")) {
                    assertEquals(storable(sent.get(seed)), streamed, context);
                    assertEquals(streamed, last.getString("text"), context);
                    assertEquals(streamed, storedAnswer(threadId, token), "the stored answer is the streamed one; " + context);
                } else {
                    assertTrue(storable(sent.get(seed)).startsWith(streamed), context);
                }
                for (JsonObject event : run) {
                    assertTrue(isStorable(event.toString()), context);
                }
                List<String> live = client.texts().subList(before, client.texts().size()).stream()
                        .filter(text -> text.contains("\"seq\":")).toList();
                liveByThread.put(threadId, live);
                assertFalse(client.isClosed(), "the session stays open; " + context);
            }
            client.chat("hostile text 1");
            client.expect("ack");
            List<JsonObject> after = client.run();
            assertEquals("agent_completed", after.get(after.size() - 1).getString("type"), "the session still serves runs");
        }
        try (var replay = ChatClient.ready(payara.server().chat(), token)) {
            for (var thread : liveByThread.entrySet()) {
                assertEquals(thread.getValue(), replayed(replay, thread.getKey()), "resume replays the live frames byte for byte");
                JsonObject page = payara.server().getJson("api/threads/" + thread.getKey() + "/events?limit=1000", token);
                List<JsonObject> rest = page.getJsonArray("items").getValuesAs(JsonObject.class);
                assertEquals(thread.getValue().stream().map(HostileModelOutputIT::parse).toList(), rest, "GET events holds the live frames");
            }
        }
    }

    @Test
    void aModelToolCallIdWithNulIsAnsweredOverAguiAndARawNulIdIsAClientError() throws Exception {
        String token = TestTokens.valid("hostile-agui-user");
        String threadId = UUID.randomUUID().toString();
        HttpResponse<String> first = agui(token, threadId, Json.createObjectBuilder().add("id", "m-" + UUID.randomUUID())
                .add("role", "user").add("content", "hostile front-end 7"));
        assertEquals(200, first.statusCode(), first.body());
        JsonObject start = sse(first.body()).stream().filter(e -> e.getString("type").equals("TOOL_CALL_START")).findFirst().orElseThrow();
        String callId = start.getString("toolCallId");
        assertEquals("call_\uFFFDx\uFFFD", callId, "NUL and the lone surrogate replaced as streamed");

        HttpResponse<String> refused = agui(token, threadId, Json.createObjectBuilder().add("id", "r-" + UUID.randomUUID())
                .add("role", "tool").add("toolCallId", "call_\u0000x").add("content", "42"));
        assertEquals(400, refused.statusCode(), refused.body());
        JsonObject error = parse(refused.body());
        assertEquals("VALIDATION_FAILED", error.getString("code"));
        assertFalse(error.getBoolean("retryable"));

        HttpResponse<String> answered = agui(token, threadId, Json.createObjectBuilder().add("id", "r-" + UUID.randomUUID())
                .add("role", "tool").add("toolCallId", callId).add("content", "42"));
        assertEquals(200, answered.statusCode(), answered.body());
        List<JsonObject> events = sse(answered.body());
        assertEquals("RUN_FINISHED", events.get(events.size() - 1).getString("type"), answered.body());
        JsonObject result = model.requests.get(model.requests.size() - 1).getJsonArray("messages").getValuesAs(JsonObject.class)
                .stream().filter(m -> m.getString("role").equals("tool")).findFirst().orElseThrow();
        assertEquals(callId, result.getString("tool_call_id"), "the model gets the result for the call as stored");
    }

    @Test
    void anIdWithNulInAPathIsRefusedAsNeverStorableNotAsRetryable() {
        String token = TestTokens.valid("hostile-path-user");
        for (String path : List.of("api/threads/thread%00x/events", "api/threads/thread%00x/messages", "api/agui/runs/run%00x")) {
            HttpResponse<String> answer = payara.server().get(path, token);
            assertTrue(answer.statusCode() == 400 || answer.statusCode() == 404, () -> path + " answered " + answer.statusCode()
                    + ": " + answer.body());
            if (!answer.body().isBlank()) {
                assertFalse(parse(answer.body()).getBoolean("retryable", false), path);
            }
        }
    }

    /** The model: text, tool calls and sizes as the user's text "hostile KIND SEED" asks. */
    static void answer(HttpExchange exchange, JsonObject request, int call) throws IOException {
        String[] asked = ModelServer.lastUserText(request).split(" ");
        String kind = asked[1];
        long seed = Long.parseLong(asked[2]);
        Random random = new Random(seed);
        boolean afterTool = request.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .anyMatch(m -> m.getString("role").equals("tool"));
        try (OutputStream out = ModelServer.stream(exchange)) {
            if (kind.equals("front-end")) {
                if (afterTool) {
                    text(out, "done");
                } else {
                    toolCall(out, "call_\u0000x\uD800", "front", "{\"a\":\"\u0000\"}");
                    finish(out, "tool_calls");
                    return;
                }
            } else if (kind.equals("tool") && !afterTool) {
                String id = "call_" + hostile(random, 20);
                String name = random.nextBoolean() ? "calculator" : "t\u0000" + hostile(random, 10);
                int depth = 2_000 + random.nextInt(3_000);
                String arguments = random.nextBoolean() ? "{\"expression\":\"1+" + hostile(random, 30) + "\"}"
                        : "{\"deep\":" + "[".repeat(depth) + "\"" + hostile(random, 50) + "\"" + "]".repeat(depth) + "}";
                toolCall(out, id, name, arguments);
                finish(out, "tool_calls");
                return;
            } else {
                StringBuilder answer = new StringBuilder();
                switch (kind) {
                    case "large-delta" -> answer.append(hostile(random, MAX_EVENT * 2)); // one delta, sent as several events
                    case "past-the-cap" -> {
                        for (int i = 0; i < 1_000; i++) {
                            answer.append(hostile(random, 1_000)); // a megabyte in 1,000 deltas
                        }
                    }
                    default -> answer.append(hostile(random, 1 + random.nextInt(2_000)));
                }
                sent.put(seed, answer.toString());
                if (random.nextBoolean()) {
                    chunk(out, "{\"deep\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}"); // skipped as malformed
                }
                int piece = kind.equals("large-delta") ? answer.length() : kind.equals("past-the-cap") ? 1_000 : 1 + random.nextInt(200);
                for (int at = 0; at < answer.length(); at += piece) {
                    text(out, answer.substring(at, Math.min(answer.length(), at + piece)));
                }
            }
            finish(out, "stop");
        }
    }

    /** Random UTF-16 units weighted towards trouble, including quotes, backslashes and whole astral pairs. */
    static String hostile(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            switch (random.nextInt(8)) {
                case 0 -> text.append((char) (0xD800 + random.nextInt(0x800)));
                case 1 -> text.append('\u0000');
                case 2 -> text.append((char) random.nextInt(0x20));
                case 3 -> text.append(random.nextBoolean() ? '"' : '\\');
                case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0xFFFFF));
                default -> text.append((char) (0x20 + random.nextInt(0xD800 - 0x20)));
            }
        }
        return text.substring(0, length);
    }

    /** One chunk of text, every character escaped, so an unpaired surrogate reaches the gateway as one. */
    static void text(OutputStream out, String text) throws IOException {
        chunk(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":" + escaped(text) + "}}]}");
    }

    static void toolCall(OutputStream out, String id, String name, String arguments) throws IOException {
        chunk(out, "{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":" + escaped(id)
                + ",\"type\":\"function\",\"function\":{\"name\":" + escaped(name) + ",\"arguments\":" + escaped(arguments) + "}}]}}]}");
    }

    static String escaped(String text) {
        StringBuilder json = new StringBuilder(text.length() * 2).append('"');
        for (char c : text.toCharArray()) {
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                json.append(c);
            } else {
                json.append(String.format("\\u%04x", (int) c));
            }
        }
        return json.append('"').toString();
    }

    /** The text as the gateway must have passed it on: NUL and unpaired surrogates as U+FFFD. */
    static String storable(String text) {
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                clean.append(c).append(text.charAt(++i));
            } else {
                clean.append(c == '\u0000' || Character.isSurrogate(c) ? '\uFFFD' : c);
            }
        }
        return clean.toString();
    }

    static boolean isStorable(String text) {
        return storable(text).equals(text);
    }

    private static String storedAnswer(String threadId, String token) {
        JsonObject page = payara.server().getJson("api/threads/" + threadId + "/messages", token);
        return page.getJsonArray("items").getValuesAs(JsonObject.class).stream()
                .filter(m -> m.getString("role").equals("assistant")).map(m -> m.getString("text")).findFirst().orElse(null);
    }

    /** The thread's events as a resume from the start replays them, as they arrived. */
    private static List<String> replayed(ChatClient client, String threadId) {
        int before = client.texts().size();
        client.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", 0).build());
        client.until(frame -> frame.getString("type").equals("resumed"));
        return client.texts().subList(before, client.texts().size()).stream().filter(text -> text.contains("\"seq\":")).toList();
    }

    private static HttpResponse<String> agui(String token, String threadId, JsonObjectBuilder message) throws Exception {
        JsonObject body = Json.createObjectBuilder().add("threadId", threadId).add("runId", UUID.randomUUID().toString())
                .add("messages", Json.createArrayBuilder().add(message))
                .add("tools", Json.createArrayBuilder().add(Json.createObjectBuilder().add("name", "front")
                        .add("description", "a tool the client runs")))
                .build();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(payara.server().http().resolve("api/agui"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Accept", "text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static List<JsonObject> sse(String body) {
        return body.lines().filter(line -> line.startsWith("data:")).map(line -> parse(line.substring(5).strip())).toList();
    }

    private static JsonObject parse(String json) {
        JsonObject parsed = Json.createReader(new StringReader(json)).readObject();
        assertNotNull(parsed);
        return parsed;
    }
}
