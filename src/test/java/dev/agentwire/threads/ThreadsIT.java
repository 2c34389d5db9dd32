package dev.agentwire.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.FaultyAgent;
import dev.agentwire.it.FaultyResource;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Messages are stored before they are acknowledged, once per client_msg_id, and only their owner
 * sees them; every REST error is the same JSON body with the right status.
 */
class ThreadsIT extends SuiteServerTest {

    /** client_msg_ids are per user and the suite's database outlives a run: users of this run only. */
    static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);


    @Test
    void chatIsAcknowledgedThenAnsweredAndBothAreInTheHistory() {
        String token = TestTokens.valid("history-user-" + RUN);
        String threadId;
        List<JsonObject> live;
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 7*6?", null, "m-1");
            JsonObject ack = client.expect("ack");
            assertEquals("m-1", ack.getString("client_msg_id"));
            assertFalse(ack.getBoolean("duplicate"));
            threadId = ack.getString("thread_id");
            live = client.run();
        }
        JsonObject messages = get("api/threads/" + threadId + "/messages", token);
        List<JsonObject> items = messages.getJsonArray("items").getValuesAs(JsonObject.class);
        assertEquals(List.of("user", "assistant"), items.stream().map(m -> m.getString("role")).toList());
        assertEquals("what is 7*6?", items.get(0).getString("text"));
        assertEquals("m-1", items.get(0).getString("client_msg_id"));
        assertEquals(live.get(live.size() - 1).getString("text"), items.get(1).getString("text"));

        List<JsonObject> stored = get("api/threads/" + threadId + "/events", token).getJsonArray("items").getValuesAs(JsonObject.class);
        assertEquals(live, stored, "the log holds exactly what was sent");
        List<JsonObject> afterTwo = get("api/threads/" + threadId + "/events?after_seq=2", token).getJsonArray("items").getValuesAs(JsonObject.class);
        assertEquals(live.subList(2, live.size()), afterTwo);

        List<String> threads = get("api/threads", token).getJsonArray("items").getValuesAs(JsonObject.class).stream()
                .map(t -> t.getString("id")).toList();
        assertTrue(threads.contains(threadId));
    }

    @Test
    void runsInOneThreadShareOneGaplessSequence() {
        String token = TestTokens.valid("two-runs-user-" + RUN);
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 2+2?", null, "first");
            String threadId = client.expect("ack").getString("thread_id");
            List<JsonObject> firstRun = client.run();
            long before = firstRun.get(firstRun.size() - 1).getJsonNumber("seq").longValue();

            // a slow run and a quick one in the same thread: the quick one ends while the slow one goes on
            client.chat(FaultyAgent.SLOW_CALCULATION, threadId, "slow");
            client.expect("ack");
            JsonObject slowStarted = client.expect("agent_started");
            client.chat("what is 4*4?", threadId, "quick");
            List<JsonObject> frames = new ArrayList<>(List.of(slowStarted));
            frames.addAll(client.until(new Predicate<>() {
                int ended;

                @Override
                public boolean test(JsonObject frame) {
                    String type = frame.getString("type");
                    return (type.equals("agent_completed") || type.equals("agent_error")) && ++ended == 2;
                }
            }));
            frames.removeIf(f -> !f.containsKey("seq"));
            List<String> closedRuns = frames.stream().filter(f -> f.getString("type").equals("agent_completed"))
                    .map(f -> f.getString("run_id")).toList();
            assertEquals(2, closedRuns.size(), "both runs completed: " + frames);
            assertNotEquals(slowStarted.getString("run_id"), closedRuns.get(0), "the quick run ended first");

            List<Long> seqs = frames.stream().map(f -> f.getJsonNumber("seq").longValue()).toList();
            assertEquals(LongStream.rangeClosed(before + 1, before + seqs.size()).boxed().toList(), seqs,
                    "every event numbered once, in the order sent");
            JsonObject listed = get("api/threads", token).getJsonArray("items").getValuesAs(JsonObject.class).stream()
                    .filter(t -> t.getString("id").equals(threadId)).findFirst().orElseThrow();
            assertEquals(seqs.get(seqs.size() - 1), listed.getJsonNumber("last_seq").longValue());
        }
    }

    @Test
    void repeatedClientMessageIdIsAcknowledgedAgainButStoredAndAnsweredOnce() {
        String token = TestTokens.valid("retrying-user-" + RUN);
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 1+2?", null, "once");
            JsonObject first = client.expect("ack");
            String threadId = first.getString("thread_id");
            client.run();
            client.chat("what is 1+2?", threadId, "again");
            client.expect("ack");
            client.run();

            client.chat("what is 1+2?", threadId, "again");
            JsonObject repeat = client.expect("ack");
            assertTrue(repeat.getBoolean("duplicate"));
            client.send("{\"type\":\"ping\"}").expect("pong"); // no run started: the next frame is the pong

            List<JsonObject> messages = get("api/threads/" + threadId + "/messages", token).getJsonArray("items").getValuesAs(JsonObject.class);
            assertEquals(4, messages.size(), "two questions, two answers: " + messages);
        }
    }

    @Test
    void anotherUsersThreadIsInvisibleOverWebSocketAndRest() {
        String ownerToken = TestTokens.valid("owner-user");
        String threadId;
        try (var owner = ChatClient.ready(server.chat(), ownerToken)) {
            owner.chat("my secret is 1+1");
            threadId = owner.expect("ack").getString("thread_id");
            owner.run();
        }
        String intruderToken = TestTokens.valid("intruder-user");
        try (var intruder = ChatClient.ready(server.chat(), intruderToken)) {
            JsonObject foreign = intruder.chat("let me in", threadId).expectError("THREAD_NOT_FOUND");
            assertFalse(foreign.containsKey("close_code"));
            intruder.send("{\"type\":\"resume\",\"thread_id\":\"" + threadId + "\",\"after_seq\":0}").expectError("THREAD_NOT_FOUND");
            intruder.send("{\"type\":\"ping\"}").expect("pong");
        }
        assertError(404, "THREAD_NOT_FOUND", server.get("api/threads/" + threadId + "/messages", intruderToken));
        assertError(404, "THREAD_NOT_FOUND", server.get("api/threads/" + threadId + "/events", intruderToken));
        assertError(404, "THREAD_NOT_FOUND", server.get("api/threads/no-such-thread/events", intruderToken));
        assertEquals(200, status("api/threads/" + threadId + "/messages", ownerToken));
        assertFalse(get("api/threads", intruderToken).toString().contains(threadId));
    }

    @Test
    void restNeedsAValidTokenAndSaysSoWithTheRestErrorBody() {
        var missingAnswer = server.get("api/threads", null);
        assertTrue(missingAnswer.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        JsonObject missing = assertJson(401, missingAnswer);
        assertEquals("AUTH_MISSING_TOKEN", missing.getString("code"));
        assertFalse(missing.getBoolean("retryable"));
        assertFalse(missing.getString("correlation_id").isBlank(), "every REST error body has a correlation id");
        JsonObject stranger = assertJson(401, server.get("api/threads", TestTokens.signedByStranger(TestTokens.claims("x").build())));
        assertTrue(stranger.getString("code").startsWith("AUTH_"), stranger.toString());
        assertTrue(stranger.containsKey("retryable") && stranger.containsKey("correlation_id"), stranger.toString());
    }

    @Test
    void aParameterThatIsNotANumberIsAValidationErrorNamingIt() {
        JsonObject error = assertError(400, "VALIDATION_FAILED", server.get("api/threads?limit=abc", TestTokens.valid("x")));
        assertEquals("limit", error.getJsonArray("problems").getJsonObject(0).getString("field"), error.toString());
        assertEquals("limit must be a whole number.", error.getJsonArray("problems").getJsonObject(0).getString("message"));
        assertFalse(error.getBoolean("retryable"));

        JsonObject events = assertError(400, "VALIDATION_FAILED", server.get("api/threads/any/events?after_seq=x1", TestTokens.valid("x")));
        assertEquals("after_seq", events.getJsonArray("problems").getJsonObject(0).getString("field"), events.toString());
    }

    @Test
    void aParameterOutOfRangeIsAValidationErrorNamingIt() {
        JsonObject error = assertError(400, "VALIDATION_FAILED", server.get("api/threads?limit=1000", TestTokens.valid("x")));
        JsonObject problem = error.getJsonArray("problems").getJsonObject(0);
        assertEquals("limit", problem.getString("field"), error.toString());
        assertTrue(problem.getString("message").startsWith("limit must be"), problem.toString());
        JsonObject negative = assertError(400, "VALIDATION_FAILED", server.get("api/threads?offset=-1", TestTokens.valid("x")));
        assertEquals("offset", negative.getJsonArray("problems").getJsonObject(0).getString("field"), negative.toString());
    }

    @Test
    void everyOtherRestErrorIsTheSameJsonBody() {
        String token = TestTokens.valid("x");
        assertError(404, "NOT_FOUND", server.get("api/no-such-resource", token));
        assertError(404, "NOT_FOUND", server.get("api/threads/t1/no-such-part", token));

        HttpResponse<String> delete = send(request("api/threads", token).DELETE());
        assertError(405, "METHOD_NOT_ALLOWED", delete);
        assertTrue(delete.headers().firstValue("Allow").orElse("").contains("GET"), delete.headers().map().toString());

        assertError(415, "UNSUPPORTED_MEDIA_TYPE", send(request("api/dev/tokens", null)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"x\"}"))));
        assertError(406, "NOT_ACCEPTABLE", send(request("api/threads", token).header("Accept", "text/html").GET()));

        assertError(400, "INVALID_REQUEST", send(request("api/test/faults/notes", null)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"text\": oops"))));
    }

    @Test
    void aBugIsA500WithACorrelationIdAndNoExceptionText() {
        double before = server.metric("agentwire_internal_errors_total", null);
        HttpResponse<String> response = server.get("api/test/faults/bug", null);
        JsonObject error = assertError(500, "INTERNAL_ERROR", response);
        assertTrue(error.getBoolean("retryable"));
        assertFalse(response.body().contains(FaultyResource.SECRET), response.body());
        assertFalse(response.body().contains("IllegalStateException"), response.body());
        assertEquals(before + 1, server.metric("agentwire_internal_errors_total", null));
    }

    @Test
    void threadsArePaged() {
        String token = TestTokens.valid("paging-user-" + System.nanoTime());
        try (var client = ChatClient.ready(server.chat(), token)) {
            for (int i = 0; i < 3; i++) {
                client.chat("thread " + i).expect("ack");
                client.run();
            }
        }
        JsonObject first = get("api/threads?limit=2", token);
        assertEquals(2, first.getJsonArray("items").size());
        JsonObject second = get("api/threads?limit=2&offset=" + first.getJsonNumber("next").longValue(), token);
        assertEquals(1, second.getJsonArray("items").size());
        assertFalse(second.containsKey("next"));
    }

    @Test
    void openApiDescribesTheRestApi() {
        String document = server.get("openapi").body();
        assertTrue(document.contains("/api/threads/{id}/events"), document);
    }

    /** A JSON error body with this status and code, as every REST error has; returns it. */
    private static JsonObject assertError(int status, String code, HttpResponse<String> response) {
        JsonObject error = assertJson(status, response);
        assertEquals(code, error.getString("code"), error.toString());
        assertFalse(error.getString("message").isBlank());
        assertFalse(error.getString("correlation_id").isBlank());
        assertTrue(error.containsKey("retryable"), error.toString());
        return error;
    }

    private static JsonObject assertJson(int status, HttpResponse<String> response) {
        assertEquals(status, response.statusCode(), response.body());
        String type = response.headers().firstValue("Content-Type").orElse("");
        assertTrue(type.startsWith("application/json"), "Content-Type " + type + ": " + response.body());
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.http().resolve(path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private JsonObject get(String path, String token) {
        return server.getJson(path, token);
    }

    private int status(String path, String token) {
        return server.get(path, token).statusCode();
    }
}
