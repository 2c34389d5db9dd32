package dev.agentwire.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the server tells every session (SERVER_SHUTDOWN, then close 1001); after the restart
 * the interrupted run has a stored RUN_INTERRUPTED event and a client resumes from its last seq,
 * also with an AG-UI stream open at the time.
 */
class ShutdownIT {

    @TempDir
    Path workDir;

    @Test
    void shutdownTellsSessionsCheckpointsRunsAndResumeWorksAfterRestart() throws Exception {
        HttpServer model = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        model.createContext("/v1/chat/completions", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me think\"}}]}\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(30_000); // a model that takes its time
            } catch (Exception stopped) {
                // the gateway went away
            }
        });
        model.setExecutor(java.util.concurrent.Executors.newCachedThreadPool()); // two runs at once
        model.start();
        String[] options = PayaraProcess.trustingTestTokens("-Dagentwire.agent.backend=openai",
                "-Dagentwire.openai.base-url=http://127.0.0.1:" + model.getAddress().getPort() + "/v1");
        String token = TestTokens.valid("shutdown-user");
        String threadId;
        long lastSeq;
        try {
            try (var payara = PayaraProcess.start(workDir, Map.of(), options).awaitReady();
                 var client = ChatClient.ready(payara.server().chat(), token)) {
                client.chat("think hard");
                threadId = client.expect("ack").getString("thread_id");
                List<JsonObject> seen = client.until(f -> f.getString("type").equals("agent_message_delta"));
                lastSeq = seen.get(seen.size() - 1).getInt("seq");

                List<String> aguiLines = new java.util.concurrent.CopyOnWriteArrayList<>();
                var aguiStream = java.net.http.HttpClient.newHttpClient().sendAsync(java.net.http.HttpRequest.newBuilder(
                                payara.server().http().resolve("api/agui"))
                        .header("Authorization", "Bearer " + TestTokens.valid("shutdown-agui-user"))
                        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"threadId\":\"" + java.util.UUID.randomUUID()
                                + "\",\"runId\":\"" + java.util.UUID.randomUUID() + "\",\"messages\":[{\"id\":\"m-shutdown\","
                                + "\"role\":\"user\",\"content\":\"think hard\"}]}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofLines())
                        .thenAccept(response -> response.body().forEach(aguiLines::add));
                long until = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
                while (aguiLines.stream().noneMatch(line -> line.contains("TEXT_MESSAGE_CONTENT")) && System.nanoTime() < until) {
                    Thread.sleep(50);
                }

                payara.close(); // SIGTERM, as an orchestrator stops a container
                JsonObject notice = client.expectError("SERVER_SHUTDOWN");
                assertEquals(1001, notice.getInt("close_code"));
                assertTrue(notice.getBoolean("retryable"));
                long wait = notice.getJsonNumber("reconnect_after_ms").longValue();
                assertTrue(wait >= 0 && wait <= 10_000, "a jittered wait within the spread: " + wait);
                assertEquals(1001, client.awaitClose().code());
                // the stream open meanwhile ends too; with it open the sessions were still told (above)
                aguiStream.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(aguiLines.stream().anyMatch(line -> line.contains("TEXT_MESSAGE_CONTENT")), aguiLines.toString());
            }
            try (var payara = PayaraProcess.start(workDir, Map.of(), options).awaitReady();
                 var client = ChatClient.ready(payara.server().chat(), token)) {
                client.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", lastSeq).build());
                JsonObject checkpoint = client.next();
                assertEquals("agent_error", checkpoint.getString("type"), checkpoint.toString());
                assertEquals("RUN_INTERRUPTED", checkpoint.getString("code"));
                assertEquals(lastSeq + 1, checkpoint.getInt("seq"));
                assertEquals("resumed", client.next().getString("type"));
            }
        } finally {
            model.stop(0);
        }
    }
}
