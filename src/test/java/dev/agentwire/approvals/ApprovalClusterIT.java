package dev.agentwire.approvals;

import static dev.agentwire.it.ApprovalServers.approve;
import static dev.agentwire.it.ApprovalServers.ask;
import static dev.agentwire.it.ApprovalServers.awaitEvents;
import static dev.agentwire.it.ApprovalServers.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.approvals.control.DawdlingApprovals;
import dev.agentwire.it.ApprovalServers;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agentwire nodes in cluster mode (one Payara Micro data grid on loopback, one PostgreSQL:
 * database agentwire_approval_cluster_it on localhost:5432, made afresh by the test), and node A
 * killed (SIGKILL) with three approvals of its own in flight: one pending, answered on node B and
 * run there once; one approved whose call had not started, carried out once by node B as soon as
 * the grid reports A gone; one in the middle of its call, ended by node B as interrupted and told.
 * Each call's effect is counted in the notes it saved. Runs in the PostgreSQL run (-Ppostgres).
 */
class ApprovalClusterIT {

    static final String DATABASE = "agentwire_approval_cluster_it";
    static final String POSTGRES = "jdbc:postgresql://localhost:5432/";

    @TempDir
    static Path workA;

    @TempDir
    static Path workB;

    static PayaraProcess nodeA;
    static PayaraProcess nodeB;

    @BeforeAll
    static void start() throws Exception {
        try (var connection = DriverManager.getConnection(POSTGRES + "postgres", "postgres", "postgres");
             Statement sql = connection.createStatement()) {
            sql.execute("drop database if exists " + DATABASE + " with (force)");
            sql.execute("create database " + DATABASE);
        }
        Path war = ApprovalServers.dawdlingWar(workA);
        int gridA = PayaraProcess.freePort();
        int gridB = PayaraProcess.freePort();
        List<String> grid = List.of("--clustermode", "tcpip:127.0.0.1:" + gridA + ",127.0.0.1:" + gridB,
                "--interfaces", "127.0.0.1", "--clustername", "agentwire-approvals-it-" + UUID.randomUUID(), "--nohostaware");
        nodeA = node(workA, war, grid, "node-a", gridA, "-Dagentwire.test.dawdle=marked");
        nodeB = node(workB, war, grid, "node-b", gridB);
        nodeA.awaitReady();
        nodeB.awaitReady();
    }

    static PayaraProcess node(Path workDir, Path war, List<String> grid, String nodeId, int gridPort, String... more) throws IOException {
        List<String> options = new ArrayList<>(grid);
        options.addAll(List.of("--startport", Integer.toString(gridPort)));
        List<String> jvm = new ArrayList<>(List.of(
                "-Dhazelcast.socket.bind.any=false",
                "-Dhazelcast.max.no.heartbeat.seconds=15", // a killed member is noticed sooner than after a minute
                "-Dagentwire.cluster.enabled=true",
                "-Dagentwire.node.id=" + nodeId,
                "-Dagentwire.db.datasource-class=org.postgresql.ds.PGSimpleDataSource",
                "-Dagentwire.db.url=" + POSTGRES + DATABASE,
                "-Dagentwire.db.user=postgres",
                "-Dagentwire.db.password=postgres"));
        jvm.addAll(List.of(more));
        return PayaraProcess.startInGrid(workDir, war, Map.of(), options, PayaraProcess.trustingTestTokens(jvm.toArray(String[]::new)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (PayaraProcess node : new PayaraProcess[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void approvalsOfAKilledNodeArePendingOnTheOtherCarriedOutOnceThereOrInterruptedAndTold() throws Exception {
        String pendingUser = TestTokens.valid("cluster-pending");
        String beforeUser = TestTokens.valid("cluster-before");
        String duringUser = TestTokens.valid("cluster-during");
        JsonObject pending;
        JsonObject before;
        JsonObject during;
        try (var p = ChatClient.ready(nodeA.server().chat(), pendingUser); var b = ChatClient.ready(nodeA.server().chat(), beforeUser);
             var d = ChatClient.ready(nodeA.server().chat(), duringUser)) {
            pending = ask(p, "remember that node A was killed");
            before = ask(b, "remember that " + DawdlingApprovals.BEFORE);
            during = ask(d, "remember that " + DawdlingApprovals.DURING);
            b.send(approve(before));
            b.until(f -> f.getString("type").equals("approval_resolved")); // node A's run waits before the call's step
            d.send(approve(during));
            d.until(f -> f.getString("type").equals("tool_executing"));
            awaitNotes(nodeB, duringUser, 1); // the call took effect on node A; its result is not recorded
            nodeA.kill();
        }

        // the pending one, answered on node B, runs there once
        try (var onB = ChatClient.ready(nodeB.server().chat(), pendingUser)) {
            onB.send(approve(pending));
            assertFalse(onB.expect("answered").getBoolean("duplicate"));
            List<JsonObject> run = onB.run();
            assertEquals("completed", run.get(run.size() - 1).getString("status"), run::toString);
            assertEquals(1, count(run, "tool_executing", pending.getString("tool_call_id")));
        }
        assertEquals(List.of("node A was killed"), notes(pendingUser));

        // once the grid reports node A gone, node B ends its runs: the call not started runs once on B
        List<JsonObject> carried = awaitEvents(nodeB.server(), beforeUser, before.getString("thread_id"), Duration.ofSeconds(120),
                events -> events.stream().anyMatch(e -> e.getString("type").equals("agent_completed")
                        && e.getString("status").equals("completed")));
        assertEquals(1, count(carried, "tool_executing", before.getString("tool_call_id")), carried::toString);
        assertEquals(List.of(DawdlingApprovals.BEFORE), notes(beforeUser));

        // and the call stopped in the middle is interrupted and told, not run again
        List<JsonObject> stopped = awaitEvents(nodeB.server(), duringUser, during.getString("thread_id"), Duration.ofSeconds(120),
                ApprovalServers::allEnded);
        JsonObject told = stopped.get(stopped.size() - 2);
        assertEquals("tool_completed", told.getString("type"), stopped::toString);
        assertEquals(during.getString("tool_call_id"), told.getString("tool_call_id"));
        assertTrue(told.getBoolean("failed"));
        assertEquals("RUN_INTERRUPTED", stopped.get(stopped.size() - 1).getString("code"));
        assertEquals(1, count(stopped, "tool_executing", during.getString("tool_call_id")), stopped::toString);
        try (var onB = ChatClient.ready(nodeB.server().chat(), duringUser)) {
            onB.send(approve(during));
            assertTrue(onB.expect("answered").getBoolean("duplicate"), "a repeat runs nothing");
        }
        assertEquals(List.of(DawdlingApprovals.DURING), notes(duringUser));
        assertEquals(stopped.size(), ApprovalServers.events(nodeB.server(), duringUser, during.getString("thread_id")).size());
    }

    static List<String> notes(String token) {
        return nodeB.server().getJson("api/notes", token).getJsonArray("items").getValuesAs(JsonObject.class).stream()
                .map(n -> n.getString("text")).toList();
    }

    static void awaitNotes(PayaraProcess node, String token, int notes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (node.server().getJson("api/notes", token).getJsonArray("items").size() < notes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the note was not saved");
            }
            Thread.sleep(50);
        }
    }
}
