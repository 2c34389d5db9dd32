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
 * Two agentwire nodes in cluster mode on one PostgreSQL (database agentwire_cluster_it on
 * localhost:5432, made afresh by the test), each with the OpenAI-compatible backend against the
 * model server of the test: one user's sessions on both nodes chatting into one thread, and a
 * node killed mid-run and started again while the other node's run goes on. Runs in the
 * PostgreSQL run (-Ppostgres).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedDatabaseIT {

    static final String DATABASE = "agentwire_cluster_it";
    static final String POSTGRES = "jdbc:postgresql://localhost:5432/";

    @TempDir
    static Path workA;

    @TempDir
    static Path workB;

    static ModelServer model;
    static PayaraProcess nodeA;
    static PayaraProcess nodeB;
    /** Streams of "hold <tag>" questions, kept open until the test releases their tag. */
    static final Map<String, CountDownLatch> held = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        try (var connection = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "postgres");
             Statement sql = connection.createStatement()) {
            sql.execute("drop database if exists " + DATABASE + " with (force)");
            sql.execute("create database " + DATABASE);
        }
        model = ModelServer.start(SharedDatabaseIT::answer);
        nodeA = node(workA, "node-a");
        nodeB = node(workB, "node-b");
        nodeA.awaitReady();
        nodeB.awaitReady();
    }

    static PayaraProcess node(Path workDir, String nodeId) throws IOException {
        return PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens(model.backendOptions(
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
        for (PayaraProcess node : new PayaraProcess[] {nodeA, nodeB}) {
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
    void sessionsOnTwoNodesChattingIntoOneThreadGetOneGapFreeSequence() throws Exception {
        String token = TestTokens.valid("cluster-user");
        String thread = UUID.randomUUID().toString();
        int rounds = 8;
        try (var a = ChatClient.ready(nodeA.server().chat(), token); var b = ChatClient.ready(nodeB.server().chat(), token)) {
            a.chat("hello", thread);
            assertEquals("agent_completed", last(a.run()).getString("type"));
            for (int i = 0; i < rounds; i++) { // both nodes store events of the same thread at the same time
                a.chat("hello from a " + i, thread);
                b.chat("hello from b " + i, thread);
                assertEquals("agent_completed", last(a.run()).getString("type"));
                assertEquals("agent_completed", last(b.run()).getString("type"));
            }
        }
        List<JsonObject> events = events(nodeB, token, thread);
        assertEquals(LongStream.rangeClosed(1, events.size()).boxed().toList(),
                events.stream().map(e -> e.getJsonNumber("seq").longValue()).toList(), "one gap-free sequence");
        Map<String, List<String>> runs = new LinkedHashMap<>();
        events.forEach(e -> runs.computeIfAbsent(e.getString("run_id"), r -> new ArrayList<>()).add(e.getString("type")));
        assertEquals(1 + 2 * rounds, runs.size());
        for (List<String> run : runs.values()) {
            assertEquals(List.of("agent_started", "agent_thinking", "agent_message_delta", "agent_message_delta",
                    "agent_message_delta", "agent_completed"), run, "each run whole and in order");
        }
    }

    @Test
    @Order(2)
    void aKilledNodeEndsItsOwnRunsWhenItStartsAgainAndLeavesTheOtherNodesRunAlone() throws Exception {
        String token = TestTokens.valid("cluster-user-2");
        String threadA = UUID.randomUUID().toString();
        String threadB = UUID.randomUUID().toString();
        held.put("a", new CountDownLatch(1));
        held.put("b", new CountDownLatch(1));
        try (var onB = ChatClient.ready(nodeB.server().chat(), token)) {
            long lastSeqSeenOnA;
            try (var onA = ChatClient.ready(nodeA.server().chat(), token)) {
                onA.chat("hold a", threadA);
                onB.chat("hold b", threadB);
                onA.expect("ack");
                onB.expect("ack");
                onA.expect("agent_started");
                onA.expect("agent_thinking");
                lastSeqSeenOnA = onA.expect("agent_message_delta").getJsonNumber("seq").longValue();
                onB.expect("agent_started");
                nodeA.kill(); // mid-run, with no shutdown of any kind
            }
            nodeA = node(workA, "node-a"); // the same node, started again
            nodeA.awaitReady();

            List<JsonObject> afterRestart = events(nodeB, token, threadA);
            JsonObject closing = last(afterRestart);
            assertEquals("agent_error", closing.getString("type"), afterRestart.toString());
            assertEquals("RUN_INTERRUPTED", closing.getString("code"));
            assertTrue(closing.getBoolean("retryable"));

            assertEquals("agent_started", events(nodeB, token, threadB).get(0).getString("type"));
            assertFalse(events(nodeB, token, threadB).stream().anyMatch(e -> e.getString("type").equals("agent_error")),
                    "the restarted node left the other node's run alone");
            held.get("b").countDown();
            List<JsonObject> run = onB.until(f -> f.getString("type").equals("agent_completed") || f.getString("type").equals("agent_error"));
            assertEquals("agent_completed", last(run).getString("type"), run.toString());

            // the client of the killed node goes to the other one and resumes where it was
            try (var moved = ChatClient.ready(nodeB.server().chat(), token)) {
                moved.send("{\"type\":\"resume\",\"thread_id\":\"" + threadA + "\",\"after_seq\":" + lastSeqSeenOnA + "}");
                List<JsonObject> missed = moved.until(f -> f.getString("type").equals("resumed"));
                List<JsonObject> stored = events(nodeB, token, threadA);
                assertEquals(stored.subList((int) lastSeqSeenOnA, stored.size()).stream().map(e -> e.getJsonNumber("seq").longValue()).toList(),
                        missed.subList(0, missed.size() - 1).stream().map(e -> e.getJsonNumber("seq").longValue()).toList(),
                        "exactly the events after the last one it saw");
            }
        }
        List<JsonObject> threadBEvents = events(nodeB, token, threadB);
        assertEquals(1, threadBEvents.stream().filter(e -> e.getString("type").equals("agent_completed")
                || e.getString("type").equals("agent_error")).count(), "one closing event: " + threadBEvents);
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
