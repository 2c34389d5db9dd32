package dev.agentwire.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Retries are safe from the first message on, and a client may choose a new thread's id. */
class ThreadIdsIT extends SuiteServerTest {

    /** client_msg_ids are per user and the suite's database outlives a run: users of this run only. */
    static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L, 36);

    @Test
    void aFirstChatSentTwiceMakesOneThreadAndOneRun() {
        String token = TestTokens.valid("first-retry-user-" + RUN);
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 2+3?", null, "first-message");
            JsonObject ack = client.expect("ack");
            assertFalse(ack.getBoolean("duplicate"));
            List<JsonObject> run = client.run();
            assertEquals(ack.getString("run_id"), run.get(0).getString("run_id"), "the ack names the run that answers it");

            client.chat("what is 2+3?", null, "first-message"); // the ack was lost: the client sends it again
            JsonObject again = client.expect("ack");
            assertTrue(again.getBoolean("duplicate"));
            assertEquals(ack.getString("thread_id"), again.getString("thread_id"));
            assertEquals(ack.getJsonNumber("message_id"), again.getJsonNumber("message_id"));
            assertEquals(ack.getString("run_id"), again.getString("run_id"));
            client.send("{\"type\":\"ping\"}").expect("pong"); // no second run
        }
        List<JsonObject> threads = get("api/threads", token).getJsonArray("items").getValuesAs(JsonObject.class);
        assertEquals(1, threads.size(), "one thread: " + threads);
    }

    @Test
    void aClientMessageIdIsTheSendersAcrossThreads() {
        String token = TestTokens.valid("cross-thread-user-" + RUN);
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("hello", null, "used-once");
            String firstThread = client.expect("ack").getString("thread_id");
            client.run();
            client.chat("hello", null, "other");
            String secondThread = client.expect("ack").getString("thread_id");
            client.run();
            client.chat("hello again", secondThread, "used-once");
            JsonObject repeat = client.expect("ack");
            assertTrue(repeat.getBoolean("duplicate"));
            assertEquals(firstThread, repeat.getString("thread_id"), "the first message's thread");
        }
        try (var other = ChatClient.ready(server.chat(), TestTokens.valid("cross-thread-other-" + RUN))) {
            other.chat("hello", null, "used-once");
            assertFalse(other.expect("ack").getBoolean("duplicate"), "another user's ids are theirs");
            other.run();
        }
    }

    @Test
    void aNewThreadIdOfTheClientsChoosingMakesTheSendersThread() {
        String token = TestTokens.valid("chooser-user-" + RUN);
        String chosen = UUID.randomUUID().toString();
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 6*7?", chosen, "m1");
            assertEquals(chosen, client.expect("ack").getString("thread_id"));
            List<JsonObject> run = client.run();
            assertEquals(chosen, run.get(0).getString("thread_id"));
            assertEquals(1, run.get(0).getInt("seq"));
            client.chat("and 1+1?", chosen, "m2");
            client.expect("ack");
            assertEquals(6, client.run().get(0).getInt("seq"), "the same thread goes on");

            client.chat("short ids are refused", "abc", "m3");
            JsonObject refused = client.expectError("VALIDATION_FAILED");
            assertEquals("thread_id", refused.getJsonArray("problems").getJsonObject(0).getString("field"));
        }
        assertEquals(200, status("api/threads/" + chosen + "/messages", token));
        try (var intruder = ChatClient.ready(server.chat(), TestTokens.valid("chooser-intruder-" + RUN))) {
            intruder.chat("mine now?", chosen, "x1").expectError("THREAD_NOT_FOUND");
            intruder.send("{\"type\":\"ping\"}").expect("pong");
        }
        assertEquals(404, status("api/threads/" + chosen + "/messages", TestTokens.valid("chooser-intruder-" + RUN)));
    }

    @Test
    void theSameNameFromAnotherIssuerIsAnotherUser() {
        String providerToken = TestTokens.valid("same-name-" + RUN);
        String threadId;
        try (var client = ChatClient.ready(server.chat(), providerToken)) {
            client.chat("my secret is 1+1", null, "name-clash");
            threadId = client.expect("ack").getString("thread_id");
            client.run();
        }
        var issued = server.postForm("api/dev/tokens", "user=same-name-" + RUN);
        assertEquals(200, issued.statusCode(), issued.body());
        String devToken = jakarta.json.Json.createReader(new java.io.StringReader(issued.body())).readObject().getString("token");
        assertEquals(404, status("api/threads/" + threadId + "/messages", devToken));
        assertEquals(0, get("api/threads", devToken).getJsonArray("items").size());
        try (var impostor = ChatClient.ready(server.chat(), devToken)) {
            impostor.chat("let me in", threadId).expectError("THREAD_NOT_FOUND");
            impostor.send("{\"type\":\"resume\",\"thread_id\":\"" + threadId + "\",\"after_seq\":0}").expectError("THREAD_NOT_FOUND");
            impostor.chat("hello", null, "name-clash");
            assertFalse(impostor.expect("ack").getBoolean("duplicate"), "client_msg_ids are the owner's, not the name's");
            impostor.run();
        }
    }

    private JsonObject get(String path, String token) {
        return server.getJson(path, token);
    }

    private int status(String path, String token) {
        return server.get(path, token).statusCode();
    }
}
