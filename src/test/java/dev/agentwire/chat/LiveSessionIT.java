package dev.agentwire.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.FaultyAgent;
import dev.agentwire.it.RawSocketClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Sessions in the real world: dropped and resumed mid-run, expiring tokens, dead peers, peers
 * that do not read, floods and foreign pages. The suite server runs with a 1 s heartbeat, a 4 s
 * idle timeout, a 3 s drain timeout, a 50-event replay limit and one allowed origin.
 */
class LiveSessionIT extends SuiteServerTest {

    @Test
    void clientDroppedMidRunResumesAndSeesExactlyTheUninterruptedSequence() throws Exception {
        List<String> uninterrupted;
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("steady-user"))) {
            client.chat(FaultyAgent.SLOW_CALCULATION);
            client.expect("ack");
            uninterrupted = comparable(client.run());
        }

        String token = TestTokens.valid("dropped-user");
        String threadId;
        long lastSeq;
        List<JsonObject> seen = new ArrayList<>();
        var first = ChatClient.ready(server.chat(), token);
        first.chat(FaultyAgent.SLOW_CALCULATION);
        threadId = first.expect("ack").getString("thread_id");
        seen.add(first.expect("agent_started"));
        lastSeq = seen.get(0).getInt("seq");
        first.close(); // the network drops mid-run
        Thread.sleep(900); // events are produced while no connection is open

        try (var second = ChatClient.ready(server.chat(), token)) {
            second.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", lastSeq).build());
            List<JsonObject> rest = second.until(f -> f.getString("type").equals("agent_completed"));
            rest.stream().filter(f -> f.containsKey("seq")).forEach(seen::add);
            assertTrue(rest.stream().anyMatch(f -> f.getString("type").equals("resumed")), "the replay's end is announced");
        }
        assertEquals(List.of(1, 2, 3, 4, 5), seen.stream().map(f -> f.getInt("seq")).toList(), "no gap, no duplicate");
        assertEquals(uninterrupted, comparable(seen));
    }

    @Test
    void resumeOfTooMuchHistoryIsAnsweredWithWhereToLoadIt() {
        String token = TestTokens.valid("long-thread-user");
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 1+1?");
            String threadId = client.expect("ack").getString("thread_id");
            client.run();
            for (int i = 0; i < 11; i++) {
                client.chat("what is " + i + "+1?", threadId);
                client.expect("ack");
                client.run();
            }
            JsonObject answer = client.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", 0).build())
                    .expect("resume_unavailable");
            assertEquals(60, answer.getInt("latest_seq"));
            assertTrue(answer.getString("message").contains("/api/threads/" + threadId + "/events?after_seq=0"));
        }
        try (var reconnected = ChatClient.ready(server.chat(), token)) {
            JsonObject recent = reconnected.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId(reconnected, token))
                    .add("after_seq", 55).build()).next();
            assertEquals(56, recent.getInt("seq"), "a short replay is served");
        }
    }

    private String threadId(ChatClient client, String token) {
        return server.getJson("api/threads", token).getJsonArray("items").getJsonObject(0).getString("id");
    }

    @Test
    void aConnectionIsNeverSentAnEventTwiceAndAFutureSeqIsAnswered() {
        String token = TestTokens.valid("double-resume-user");
        String threadId;
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 1+1?");
            threadId = client.expect("ack").getString("thread_id");
            client.run();
            for (int i = 0; i < 7; i++) {
                client.chat("what is " + i + "+1?", threadId);
                client.expect("ack");
                client.run();
            }
        }
        try (var client = ChatClient.ready(server.chat(), token)) {
            JsonObject resume = Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", 0).build();
            client.send(resume).send(resume).send(resume);
            List<JsonObject> frames = new java.util.ArrayList<>();
            int resumed = 0;
            int refused = 0;
            while (resumed + refused < 3) {
                JsonObject frame = client.next();
                frames.add(frame);
                String type = frame.getString("type");
                if (type.equals("resumed")) {
                    resumed++;
                } else if (type.equals("error")) {
                    assertEquals("RATE_LIMITED", frame.getString("code"), frame.toString());
                    refused++;
                }
            }
            List<Integer> seqs = frames.stream().filter(f -> f.containsKey("seq")).map(f -> f.getInt("seq")).toList();
            assertEquals(java.util.stream.IntStream.rangeClosed(1, 40).boxed().toList(), seqs, "each seq once, in order");

            JsonObject ahead = client.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId)
                    .add("after_seq", 1000).build()).expect("resume_unavailable");
            assertEquals("after_seq_ahead", ahead.getString("reason"));
            assertEquals(40, ahead.getInt("latest_seq"));
        }
    }

    @Test
    void resumeOfAnotherUsersThreadIsThreadNotFound() {
        String threadId;
        try (var owner = ChatClient.ready(server.chat(), TestTokens.valid("resume-owner"))) {
            owner.chat("what is 2+2?");
            threadId = owner.expect("ack").getString("thread_id");
            owner.run();
        }
        try (var other = ChatClient.ready(server.chat(), TestTokens.valid("resume-intruder"))) {
            other.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", 0).build())
                    .expectError("THREAD_NOT_FOUND");
        }
    }

    @Test
    void expiredTokenClosesTheSessionWith4401AtTheRightTime() {
        Instant expiry = Instant.now().plusSeconds(3);
        try (var client = ChatClient.ready(server.chat(), shortLived("expiring-user", expiry))) {
            JsonObject error = client.expectError("AUTH_EXPIRED");
            Instant closedAt = Instant.now();
            assertEquals(4401, error.getInt("close_code"));
            assertEquals(4401, client.awaitClose().code());
            assertFalse(closedAt.isBefore(expiry.minusMillis(1000)), "not before the token expired");
            assertTrue(closedAt.isBefore(expiry.plusSeconds(3)), "soon after it expired: " + closedAt + " vs " + expiry);
        }
    }

    @Test
    void refreshExtendsTheSessionAndABadRefreshKeepsTheOldExpiry() throws Exception {
        try (var client = ChatClient.ready(server.chat(), shortLived("refreshing-user", Instant.now().plusSeconds(3)))) {
            String fresh = TestTokens.valid("refreshing-user");
            JsonObject refreshed = client.send(Json.createObjectBuilder().add("type", "refresh").add("token", fresh).build()).expect("refreshed");
            assertTrue(Instant.parse(refreshed.getString("expires_at")).isAfter(Instant.now().plusSeconds(60)));
            Thread.sleep(4_000);
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
        try (var client = ChatClient.ready(server.chat(), shortLived("careless-user", Instant.now().plusSeconds(3)))) {
            client.send(Json.createObjectBuilder().add("type", "refresh").add("token", TestTokens.valid("someone-else")).build())
                    .expectError("REFRESH_REJECTED");
            client.send(Json.createObjectBuilder().add("type", "refresh").add("token", "not-a-token").build())
                    .expectError("REFRESH_REJECTED");
            client.expectError("AUTH_EXPIRED");
            assertEquals(4401, client.awaitClose().code());
        }
    }

    @Test
    void peerThatStopsAnsweringIsClosedAfterTheIdleTimeout() throws Exception {
        double idleCloses = server.metric("agentwire_error_frames_total", "code=\"IDLE_TIMEOUT\"");
        try (var silent = new RawSocketClient(server.chat(), TestTokens.valid("silent-user"))) {
            long deadline = System.currentTimeMillis() + 10_000;
            while (!silent.isClosedByServer() && System.currentTimeMillis() < deadline) {
                Thread.sleep(200); // never answers the server's pings
            }
            assertTrue(silent.isClosedByServer(), "closed within the idle timeout plus a heartbeat");
        }
        assertEquals(idleCloses + 1, server.metric("agentwire_error_frames_total", "code=\"IDLE_TIMEOUT\""));
    }

    @Test
    void peerThatDoesNotReadIsCutOffWhileOthersKeepTheirLatency() throws Exception {
        String token = TestTokens.valid("hoarder-user");
        List<ChatClient> others = new ArrayList<>();
        double slowConsumers = server.metric("agentwire_connections_closed_total", "code=\"1008\"");
        try (var hoarder = new RawSocketClient(server.chat(), token)) {
            for (int i = 0; i < 20; i++) {
                others.add(ChatClient.ready(server.chat(), TestTokens.valid("bystander-" + i)));
            }
            // megabytes of run events it will never read
            hoarder.send(Json.createObjectBuilder().add("type", "chat").add("text", FaultyAgent.FLOOD).build().toString());
            List<Long> latencies = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 15_000;
            while (server.metric("agentwire_connections_closed_total", "code=\"1008\"") == slowConsumers
                    && System.currentTimeMillis() < deadline) {
                for (ChatClient other : others) {
                    long start = System.nanoTime();
                    other.send("{\"type\":\"ping\"}").expect("pong");
                    latencies.add((System.nanoTime() - start) / 1_000_000);
                }
                Thread.sleep(100); // each bystander stays well under its frame rate limit
            }
            assertEquals(slowConsumers + 1, server.metric("agentwire_connections_closed_total", "code=\"1008\""), "the hoarder was cut off (1008)");
            latencies.sort(null);
            long p99 = latencies.get((int) (latencies.size() * 0.99));
            assertTrue(p99 < 1_000, "others kept answering within a second meanwhile; p99 " + p99 + " ms of " + latencies.size());
        } finally {
            others.forEach(ChatClient::close);
        }
    }

    @Test
    void floodIsRateLimitedThenClosedWith4429() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("flooding-user"))) {
            for (int i = 0; i < 150 && !client.isClosed(); i++) {
                client.send("{\"type\":\"ping\"}");
            }
            List<JsonObject> frames = client.until(f -> f.getString("type").equals("error") && f.getString("code").equals("TOO_MANY_REQUESTS"));
            assertTrue(frames.stream().anyMatch(f -> "RATE_LIMITED".equals(f.getString("code", null))), "refusals come first");
            assertTrue(frames.stream().filter(f -> f.getString("type").equals("pong")).count() >= 40, "the burst is served");
            assertEquals(4429, client.awaitClose().code());
        }
    }

    @Test
    void repeatedMalformedFramesCloseWith1008() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("garbling-user"))) {
            for (int i = 0; i < 10; i++) {
                client.send("{broken").expectError("INVALID_FRAME");
            }
            client.send("{broken").expectError("INVALID_FRAME");
            assertEquals(1008, client.expectError("TOO_MANY_INVALID_FRAMES").getInt("close_code"));
            assertEquals(1008, client.awaitClose().code());
        }
    }

    @Test
    void pageFromAForeignOriginIsForbidden() {
        try (var client = ChatClient.withHeaders(server.chat(), TestTokens.valid("origin-user"), "Origin", "https://evil.example")) {
            assertEquals(4403, client.expectError("FORBIDDEN").getInt("close_code"));
            assertEquals(4403, client.awaitClose().code());
        }
        try (var client = ChatClient.withHeaders(server.chat(), TestTokens.valid("origin-user"), "Origin", "https://app.agentwire.test")) {
            client.expect("ready");
        }
    }

    @Test
    void aPageTheServerServesItselfMayConnectWhateverTheAllowList() {
        String self = "http://127.0.0.1:" + server.chat().getPort();
        try (var client = ChatClient.withHeaders(server.chat(), TestTokens.valid("origin-user"), "Origin", self)) {
            client.expect("ready");
        }
        String otherPort = "http://127.0.0.1:" + (server.chat().getPort() + 1);
        try (var client = ChatClient.withHeaders(server.chat(), TestTokens.valid("origin-user"), "Origin", otherPort)) {
            assertEquals(4403, client.expectError("FORBIDDEN").getInt("close_code"));
        }
    }

    private static String shortLived(String user, Instant expiry) {
        return TestTokens.rs256(TestTokens.claims(user).expirationTime(Date.from(expiry)).build());
    }

    /** What a user sees of a run, without the parts that differ between two runs (ids, times). */
    private static List<String> comparable(List<JsonObject> events) {
        return events.stream().map(e -> e.entrySet().stream()
                        .filter(field -> !List.of("run_id", "thread_id", "timestamp").contains(field.getKey()))
                        .map(field -> field.getKey() + "=" + field.getValue())
                        .sorted().collect(Collectors.joining(",")))
                .toList();
    }
}
