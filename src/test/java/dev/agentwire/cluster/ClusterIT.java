package dev.agentwire.cluster;

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
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three agentwire nodes in cluster mode: one Payara Micro data grid on loopback (tcpip discovery)
 * and one PostgreSQL (database agentwire_cluster_it on localhost:5432, made afresh by the test),
 * each node with the OpenAI-compatible backend against the model server of the test. One user's
 * sessions on the three nodes chatting into one thread and each seeing every event of it once, in
 * order; a node killed mid-run, its run ended by one of the others and its client resuming on
 * another node; the killed node started again while another node's run goes on; a user's limits
 * counted over every node. Runs in the PostgreSQL run (-Ppostgres).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static final String DATABASE = "agentwire_cluster_it";
    static final String POSTGRES = "jdbc:postgresql://localhost:5432/";

    @TempDir
    static Path workA;

    @TempDir
    static Path workB;

    @TempDir
    static Path workC;

    static ModelServer model;
    static List<String> grid;
    static int gridPortA;
    static PayaraProcess nodeA;
    static PayaraProcess nodeB;
    static PayaraProcess nodeC;
    /** Streams of "hold <tag>" questions, kept open until the test releases their tag. */
    static final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        try (var connection = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "postgres");
             Statement sql = connection.createStatement()) {
            sql.execute("drop database if exists " + DATABASE + " with (force)");
            sql.execute("create database " + DATABASE);
        }
        model = ModelServer.start(ClusterIT::answer);
        gridPortA = PayaraProcess.freePort();
        int gridB = PayaraProcess.freePort();
        int gridC = PayaraProcess.freePort();
        grid = List.of("--clustermode", "tcpip:127.0.0.1:" + gridPortA + ",127.0.0.1:" + gridB + ",127.0.0.1:" + gridC,
                "--interfaces", "127.0.0.1",
                "--clustername", "agentwire-it-" + UUID.randomUUID(), "--nohostaware"); // both on one host: backups too
        nodeA = node(workA, "node-a", gridPortA);
        nodeB = node(workB, "node-b", gridB);
        nodeC = node(workC, "node-c", gridC);
        nodeA.awaitReady();
        nodeB.awaitReady();
        nodeC.awaitReady();
    }

    static PayaraProcess node(Path workDir, String nodeId, int gridPort) throws IOException {
        List<String> options = new ArrayList<>(grid);
        options.addAll(List.of("--startport", Integer.toString(gridPort)));
        return PayaraProcess.startInGrid(workDir, Map.of(), options, PayaraProcess.trustingTestTokens(model.backendOptions(
                "-Dhazelcast.socket.bind.any=false",
                "-Dhazelcast.max.no.heartbeat.seconds=15", // a killed member is noticed sooner than after a minute
                "-Dagentwire.cluster.enabled=true",
                "-Dagentwire.node.id=" + nodeId,
                "-Dagentwire.db.datasource-class=org.postgresql.ds.PGSimpleDataSource",
                "-Dagentwire.db.url=" + POSTGRES + DATABASE,
                "-Dagentwire.db.user=postgres",
                "-Dagentwire.db.password=postgres",
                // a held stream outlasts the other node's restart on a loaded machine
                "-Ddev.agentwire.agents.control.ModelCircuit/call/Timeout/value=300000")));
    }

    @AfterAll
    static void stop() throws Exception {
        held.values().forEach(CountDownLatch::countDown);
        for (PayaraProcess node : new PayaraProcess[] {nodeA, nodeB, nodeC}) {
            if (node != null) {
                node.close();
            }
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    @Order(1)
    void sessionsOnThreeNodesOfOneThreadEachSeeEveryEventOnceInOrder() throws Exception {
        String token = TestTokens.valid("cluster-user");
        String thread = UUID.randomUUID().toString();
        int rounds = 6;
        List<Long> seenOnA = new ArrayList<>();
        List<Long> seenOnB = new ArrayList<>();
        List<Long> seenOnC = new ArrayList<>();
        try (var a = ChatClient.ready(nodeA.server().chat(), token); var b = ChatClient.ready(nodeB.server().chat(), token);
             var c = ChatClient.ready(nodeC.server().chat(), token)) {
            a.chat("hello", thread);
            seenOnA.addAll(seqsUntilClosings(a, 1));
            b.chat("hello from b", thread); // b follows the thread from here on
            seenOnB.addAll(seqsUntilClosings(b, 1));
            seenOnA.addAll(seqsUntilClosings(a, 1)); // a sees b's run, which node B ran
            c.chat("hello from c", thread);
            seenOnC.addAll(seqsUntilClosings(c, 1));
            seenOnA.addAll(seqsUntilClosings(a, 1));
            seenOnB.addAll(seqsUntilClosings(b, 1));
            List<ChatClient> sessions = List.of(a, b, c);
            for (int i = 0; i < rounds; i++) { // two nodes at a time store events of the thread (two runs a user)
                sessions.get(i % 3).chat("hello " + i, thread);
                sessions.get((i + 1) % 3).chat("hello again " + i, thread);
                seenOnA.addAll(seqsUntilClosings(a, 2));
                seenOnB.addAll(seqsUntilClosings(b, 2));
                seenOnC.addAll(seqsUntilClosings(c, 2));
            }
        }
        List<JsonObject> events = events(nodeB, token, thread);
        assertEquals(LongStream.rangeClosed(1, events.size()).boxed().toList(),
                events.stream().map(e -> e.getJsonNumber("seq").longValue()).toList(), "one gap-free sequence");
        assertEquals(LongStream.rangeClosed(1, events.size()).boxed().toList(), seenOnA, "node A's session saw every event once, in order");
        assertEquals(LongStream.rangeClosed(7, events.size()).boxed().toList(), seenOnB,
                "node B's session saw every event after it joined (the first run's six), once, in order");
        assertEquals(LongStream.rangeClosed(13, events.size()).boxed().toList(), seenOnC,
                "node C's session saw every event after it joined, once, in order");
        Map<String, List<String>> runs = new LinkedHashMap<>();
        events.forEach(e -> runs.computeIfAbsent(e.getString("run_id"), r -> new ArrayList<>()).add(e.getString("type")));
        assertEquals(3 + 2 * rounds, runs.size());
        for (List<String> run : runs.values()) {
            assertEquals(List.of("agent_started", "agent_thinking", "agent_message_delta", "agent_message_delta",
                    "agent_message_delta", "agent_completed"), run, "each run whole and in order");
        }
    }

    @Test
    @Order(2)
    void aKilledNodesRunIsEndedByTheOtherNodeItsClientResumesThereAndTheNodeComesBack() throws Exception {
        String token = TestTokens.valid("cluster-user-2");
        String threadA = UUID.randomUUID().toString();
        String threadB = UUID.randomUUID().toString();
        held.put("a", new CountDownLatch(1));
        held.put("b", new CountDownLatch(1));
        try (var onB = ChatClient.ready(nodeB.server().chat(), token); var watcher = ChatClient.ready(nodeB.server().chat(), token)) {
            long lastSeqSeenOnA;
            try (var onA = ChatClient.ready(nodeA.server().chat(), token)) {
                onA.chat("hold a", threadA);
                onA.expect("ack");
                onA.expect("agent_started");
                onA.expect("agent_thinking");
                lastSeqSeenOnA = onA.expect("agent_message_delta").getJsonNumber("seq").longValue();
                // a second tab, on the other node, joins the run going on node A
                watcher.send("{\"type\":\"resume\",\"thread_id\":\"" + threadA + "\",\"after_seq\":0}");
                watcher.until(f -> f.getString("type").equals("resumed"));
                onB.chat("hold b", threadB);
                onB.expect("ack");
                onB.expect("agent_started");
                nodeA.kill(); // mid-run, with no shutdown of any kind
            }
            JsonObject closing = awaitClosing(nodeB, token, threadA);
            assertEquals("agent_error", closing.getString("type"), closing.toString());
            assertEquals("RUN_INTERRUPTED", closing.getString("code"), "node B ended node A's run once the grid reported A gone");
            assertTrue(closing.getBoolean("retryable"));
            List<JsonObject> watched = watcher.until(f -> f.getString("type").equals("agent_error"));
            assertEquals(closing.getJsonNumber("seq").longValue(), last(watched).getJsonNumber("seq").longValue(),
                    "the tab on node B saw the run end live");

            assertFalse(events(nodeB, token, threadB).stream().anyMatch(e -> e.getString("type").equals("agent_error")),
                    "node B's own run goes on");
            // the client of the killed node goes to the other one and resumes where it was
            try (var moved = ChatClient.ready(nodeB.server().chat(), token)) {
                moved.send("{\"type\":\"resume\",\"thread_id\":\"" + threadA + "\",\"after_seq\":" + lastSeqSeenOnA + "}");
                List<JsonObject> missed = moved.until(f -> f.getString("type").equals("resumed"));
                List<JsonObject> stored = events(nodeB, token, threadA);
                assertEquals(stored.subList((int) lastSeqSeenOnA, stored.size()).stream().map(e -> e.getJsonNumber("seq").longValue()).toList(),
                        missed.subList(0, missed.size() - 1).stream().map(e -> e.getJsonNumber("seq").longValue()).toList(),
                        "exactly the events after the last one it saw");
            }

            nodeA = node(workA, "node-a", gridPortA); // the same node, started again while node B's run goes on
            nodeA.awaitReady();
            assertFalse(events(nodeB, token, threadB).stream().anyMatch(e -> e.getString("type").equals("agent_error")),
                    "the restarted node left node B's run alone");
            held.get("b").countDown();
            List<JsonObject> run = onB.until(f -> f.getString("type").equals("agent_completed") || f.getString("type").equals("agent_error"));
            assertEquals("agent_completed", last(run).getString("type"), run.toString());

            // the restarted node is back in the grid: its runs reach the tab on node B
            try (var again = ChatClient.ready(nodeA.server().chat(), token)) {
                again.chat("hello again", threadA);
                again.run();
            }
            List<JsonObject> live = watcher.until(f -> f.getString("type").equals("agent_completed"));
            assertEquals("agent_started", live.get(0).getString("type"), live.toString());
        }
        List<JsonObject> threadAEvents = events(nodeB, token, threadA);
        assertEquals(2, threadAEvents.stream().filter(e -> e.getString("type").equals("agent_completed")
                || e.getString("type").equals("agent_error")).count(), "one closing event per run: " + threadAEvents);
    }

    @Test
    @Order(3)
    void aUsersLimitsCountOverEveryNode() throws Exception {
        String token = TestTokens.valid("cluster-limits");
        List<ChatClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) { // the per-user maximum, over three nodes
                open.add(ChatClient.ready(List.of(nodeA, nodeB, nodeC).get(i % 3).server().chat(), token));
            }
            try (var sixth = ChatClient.withHeader(nodeC.server().chat(), token)) {
                assertEquals(4429, sixth.expectError("TOO_MANY_CONNECTIONS").getInt("close_code"));
            }
            open.remove(0).close(); // one on node A goes; node B admits one again
            awaitAdmitted(nodeB, token, open);

            held.put("c", new CountDownLatch(1));
            held.put("d", new CountDownLatch(1));
            open.get(0).chat("hold c", UUID.randomUUID().toString()); // on node B
            open.get(1).chat("hold d", UUID.randomUUID().toString()); // on node C
            open.get(0).expect("ack");
            open.get(1).expect("ack");
            ChatClient third = open.get(2);
            third.chat("one run too many", UUID.randomUUID().toString());
            assertTrue(third.expectError("RATE_LIMITED").getString("message").contains("runs going"),
                    "two runs going on two other nodes: the per-user maximum");
            held.get("c").countDown();
            held.get("d").countDown();
        } finally {
            open.forEach(ChatClient::close);
        }

        // connections a minute (30 by default) count over every node too, within one minute of the clock
        long intoMinute = System.currentTimeMillis() % 60_000;
        if (intoMinute > 40_000) {
            Thread.sleep(60_000 - intoMinute + 500);
        }
        String churner = TestTokens.valid("cluster-churn");
        int opened = 0;
        ChatClient.Close refused = null;
        while (refused == null && opened < 40) {
            try (var client = ChatClient.withHeader(List.of(nodeA, nodeB, nodeC).get(opened % 3).server().chat(), churner)) {
                JsonObject first = client.next();
                if (first.getString("type").equals("error")) {
                    assertEquals("TOO_MANY_CONNECTIONS", first.getString("code"));
                    refused = client.awaitClose();
                } else {
                    opened++;
                }
            }
        }
        assertEquals(30, opened, "30 connections in the minute over three nodes, then 4429");
        assertEquals(4429, refused.code());
    }

    /** Waits until the node has let go of a closed connection's count: a new one is admitted. */
    static void awaitAdmitted(PayaraProcess node, String token, List<ChatClient> open) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            ChatClient client = ChatClient.withHeader(node.server().chat(), token);
            if (client.next().getString("type").equals("ready")) {
                open.add(client);
                return;
            }
            client.close();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the closed connection's place was not given back");
            }
            Thread.sleep(200);
        }
    }

    /** The seqs of the run events a client receives until {@code closings} runs have ended. */
    static List<Long> seqsUntilClosings(ChatClient client, int closings) {
        List<Long> seqs = new ArrayList<>();
        int[] ended = {0};
        client.until(f -> {
            if (f.containsKey("seq")) {
                seqs.add(f.getJsonNumber("seq").longValue());
            }
            if (f.getString("type").equals("agent_completed") || f.getString("type").equals("agent_error")) {
                ended[0]++;
            }
            return ended[0] == closings;
        });
        return seqs;
    }

    /** The thread's closing event, once a node stored it (at most 90 s: the grid notices a killed member). */
    static JsonObject awaitClosing(PayaraProcess node, String token, String thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            JsonObject latest = last(events(node, token, thread));
            if (latest.getString("type").equals("agent_error") || latest.getString("type").equals("agent_completed")) {
                return latest;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no closing event within 90 s: " + latest);
            }
            Thread.sleep(250);
        }
    }

    static List<JsonObject> events(PayaraProcess node, String token, String thread) {
        return node.server().getJson("api/threads/" + thread + "/events?limit=1000", token)
                .getJsonArray("items").getValuesAs(JsonObject.class);
    }

    static JsonObject last(List<JsonObject> frames) {
        return frames.get(frames.size() - 1);
    }

    /** "hold TAG": streams a word a second until the test releases TAG; anything else: three deltas. */
    static void answer(HttpExchange exchange, JsonObject request, int call) throws IOException {
        String question = ModelServer.lastUserText(request);
        try (OutputStream out = ModelServer.stream(exchange)) {
            if (question.startsWith("hold ")) {
                CountDownLatch release = held.get(question.substring(5));
                text(out, "Working");
                try {
                    while (!release.await(1, TimeUnit.SECONDS)) {
                        text(out, ".");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                finish(out, "stop");
                return;
            }
            text(out, "Hel");
            text(out, "lo");
            text(out, " there");
            finish(out, "stop");
        }
    }
}
