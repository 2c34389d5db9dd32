package dev.agentwire.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.FaultyAgent;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Messages are stored before they are acknowledged, once per client_msg_id, and only their owner sees them. */
class ThreadsIT extends SuiteServerTest {

    @Test
    void chatIsAcknowledgedThenAnsweredAndBothAreInTheHistory() {
        String token = TestTokens.valid("history-user");
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
        String token = TestTokens.valid("two-runs-user");
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
        String token = TestTokens.valid("retrying-user");
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
        assertEquals(404, status("api/threads/" + threadId + "/messages", intruderToken));
        assertEquals(404, status("api/threads/" + threadId + "/events", intruderToken));
        assertEquals(200, status("api/threads/" + threadId + "/messages", ownerToken));
        assertFalse(get("api/threads", intruderToken).toString().contains(threadId));
    }

    @Test
    void restNeedsAValidToken() {
        assertEquals(401, status("api/threads", null));
        assertEquals(401, status("api/threads", TestTokens.signedByStranger(TestTokens.claims("x").build())));
        assertEquals(400, status("api/threads?limit=1000", TestTokens.valid("x")));
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

    private JsonObject get(String path, String token) {
        return server.getJson(path, token);
    }

    private int status(String path, String token) {
        return server.get(path, token).statusCode();
    }
}
