package dev.agentwire.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.Server;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Nothing a user sent or was shown is lost: not across a restart, not when the database goes away. */
class DurabilityIT {

    @TempDir
    Path workDir;

    @Test
    void messagesAndEventsSurviveARestart() throws Exception {
        String token = TestTokens.valid("durable-user");
        String threadId;
        List<JsonObject> live;
        try (var first = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens()).awaitReady();
             var client = ChatClient.ready(first.server().chat(), token)) {
            client.chat("what is 12*(3+4)?", null, "before-restart");
            threadId = client.expect("ack").getString("thread_id");
            live = client.run();
        }
        String unanswered = acknowledgedButNeverStarted(threadId);
        try (var second = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens()).awaitReady()) {
            Server server = second.server();
            List<JsonObject> events = awaitEvents(server, "api/threads/" + threadId + "/events", token, live.size() + 1);
            assertEquals(live, events.subList(0, live.size()), "every event is still there, as it was sent");
            JsonObject recovered = events.get(live.size());
            assertEquals(unanswered, recovered.getString("run_id"), "the acknowledged message's run ends");
            assertEquals("RUN_INTERRUPTED", recovered.getString("code"));
            assertTrue(recovered.getBoolean("retryable"));
            List<JsonObject> messages = items(server, "api/threads/" + threadId + "/messages", token);
            assertEquals(List.of("what is 12*(3+4)?", "`12*(3+4)` = 84", "stored, acknowledged, never started"),
                    messages.stream().map(m -> m.getString("text")).toList());

            try (var client = ChatClient.ready(server.chat(), token)) {
                client.chat("what is 12*(3+4)?", threadId, "before-restart");
                assertTrue(client.expect("ack").getBoolean("duplicate"), "a retry after the restart is still recognised");
                client.chat("and 1+1?", threadId);
                client.expect("ack");
                assertEquals(live.size() + 2, client.run().get(0).getInt("seq"), "seq continues after the restart");
            }
        }
    }

    /**
     * A crash (SIGKILL) the moment a run has ended: everything acknowledged and everything sent is
     * still there after the restart, on the embedded database too.
     */
    @Test
    void aCrashLosesNothingAcknowledgedOrSent() throws Exception {
        String token = TestTokens.valid("crash-user");
        String threadId;
        List<JsonObject> live;
        var first = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens()).awaitReady();
        try (var client = ChatClient.ready(first.server().chat(), token)) {
            client.chat("what is 6*7?", null, "before-crash");
            threadId = client.expect("ack").getString("thread_id");
            live = client.run();
            first.kill(); // at once: no shutdown, no checkpoint
        }
        try (var second = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens()).awaitReady()) {
            List<JsonObject> events = awaitEvents(second.server(), "api/threads/" + threadId + "/events", token, live.size());
            assertEquals(live, events.subList(0, live.size()), "every event sent before the crash is stored");
            List<JsonObject> messages = items(second.server(), "api/threads/" + threadId + "/messages", token);
            assertEquals(List.of("what is 6*7?", "`6*7` = 42"), messages.stream().map(m -> m.getString("text")).toList());
        }
    }

    @Test
    void databaseDownGivesARetryableErrorAndNothingHalfWritten() throws Exception {
        int dbPort = PayaraProcess.freePort();
        Process database = startDatabase(dbPort);
        String url = "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/agentwire";
        String token = TestTokens.valid("unlucky-db-user");
        try (var payara = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens("-Dagentwire.db.url=" + url)).awaitReady();
             var client = ChatClient.ready(payara.server().chat(), token)) {
            client.chat("what is 1+1?");
            String threadId = client.expect("ack").getString("thread_id");
            client.run();

            database.destroy();
            database.waitFor();
            JsonObject error = client.chat("what is 2+2?", threadId, "while-down").expectError("STORAGE_UNAVAILABLE");
            assertTrue(error.getBoolean("retryable"));
            assertFalse(error.containsKey("close_code"));
            client.send("{\"type\":\"ping\"}").expect("pong");
            assertEquals(503, payara.readiness().statusCode());
            assertTrue(payara.readiness().body().contains("\"agentwire-database\",\"status\":\"DOWN\""), payara.readiness().body());

            database = startDatabase(dbPort);
            awaitReady(payara);
            client.chat("what is 2+2?", threadId, "while-down");
            JsonObject ack = client.expect("ack");
            assertFalse(ack.getBoolean("duplicate"), "the failed attempt left nothing behind");
            client.run();
            List<String> texts = items(payara.server(), "api/threads/" + threadId + "/messages", token).stream()
                    .map(m -> m.getString("text")).toList();
            assertEquals(List.of("what is 1+1?", "`1+1` = 2", "what is 2+2?", "`2+2` = 4"), texts);
        } finally {
            database.destroy();
        }
    }

    /**
     * What a crash between a message's ack and its run's start leaves: the message and its run
     * row, no event. Written into the stopped server's H2 file.
     */
    private String acknowledgedButNeverStarted(String threadId) throws Exception {
        String runId = java.util.UUID.randomUUID().toString();
        String url = "jdbc:h2:file:" + workDir.resolve("data/agentwire") + ";USER=agentwire;PASSWORD=agentwire";
        try (var connection = java.sql.DriverManager.getConnection(url); var sql = connection.createStatement()) {
            sql.execute("insert into chat_message (id, thread_id, role, text, client_msg_id, owner_issuer, owner_id, created_at)"
                    + " select next value for chat_message_ids, id, 'user', 'stored, acknowledged, never started', 'crashed',"
                    + " owner_issuer, owner_id, current_timestamp from chat_thread where id = '" + threadId + "'");
            sql.execute("insert into agent_run (id, thread_id, message_id, started_at) select '" + runId + "', thread_id, max(id),"
                    + " current_timestamp from chat_message where thread_id = '" + threadId + "' group by thread_id");
        }
        return runId;
    }

    /** The events of a thread once there are at least {@code count}: recovery stores them just after the start. */
    static List<JsonObject> awaitEvents(Server server, String path, String token, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        List<JsonObject> events = items(server, path, token);
        while (events.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
            events = items(server, path, token);
        }
        return events;
    }

    /** An H2 TCP server in a process of its own, so the test can take it away as a crash would. */
    private Process startDatabase(int port) throws Exception {
        String h2 = Path.of(org.h2.tools.Server.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", h2, "org.h2.tools.Server", "-tcp", "-tcpPort", Integer.toString(port),
                "-baseDir", workDir.resolve("db").toString(), "-ifNotExists")
                .redirectErrorStream(true).redirectOutput(workDir.resolve("h2-" + System.nanoTime() + ".log").toFile()).start();
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            try (var socket = new java.net.Socket("127.0.0.1", port)) {
                return process;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("H2 did not start");
    }

    private static void awaitReady(PayaraProcess payara) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (payara.readiness().statusCode() != 200 && System.currentTimeMillis() < deadline) {
            Thread.sleep(250);
        }
        assertEquals(200, payara.readiness().statusCode(), payara.readiness().body());
    }

    static List<JsonObject> items(Server server, String path, String token) {
        return server.getJson(path, token).getJsonArray("items").getValuesAs(JsonObject.class);
    }
}
