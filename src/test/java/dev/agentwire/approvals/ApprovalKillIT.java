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
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server killed (SIGKILL, no shutdown of any kind) on the default H2 file database with three
 * approvals in flight: one pending, answered after the restart and run once; one approved whose
 * call had not started, carried out once by a new run after the restart; one whose call ran and
 * whose result was not recorded yet, ended as interrupted and told, never run again. And before the
 * kill, a call whose run ended before it started (the database failing at its step), carried out
 * once when the person repeats the answer; and a run cancelled just after its call's step,
 * whose call is interrupted, told to the model, and never run.
 */
class ApprovalKillIT {

    static final String PENDING = "the kill comes after the pause";

    @TempDir
    Path workDir;

    @Test
    void afterAKillEachApprovalIsStillPendingCarriedOutOnceOrInterruptedAndTold() throws Exception {
        Path war = ApprovalServers.dawdlingWar(workDir);
        String token = TestTokens.valid("kill-approver");
        JsonObject pending;
        JsonObject before;
        JsonObject during;
        JsonObject cancelled;
        try (var first = PayaraProcess.start(workDir, war, Map.of(), List.of(), PayaraProcess.trustingTestTokens(
                ApprovalServers.H2_WRITTEN_THROUGH, "-Dagentwire.test.dawdle=marked", "-Dagentwire.runs.per-user-max=4")).awaitReady();
             var client = ChatClient.ready(first.server().chat(), token)) {
            // a run that ends before its approved call starts (the database failing at the step): a repeat starts it once
            JsonObject failing = ask(client, "remember that " + DawdlingApprovals.FAIL_ONCE);
            client.send(approve(failing));
            String firstRun = client.expect("answered").getString("run_id");
            List<JsonObject> failed = client.run();
            assertEquals("agent_error", failed.get(failed.size() - 1).getString("type"), failed::toString);
            assertEquals(0, count(failed, "tool_executing", failing.getString("tool_call_id")));
            client.send(approve(failing));
            JsonObject repeated = client.expect("answered");
            assertTrue(repeated.getBoolean("duplicate"));
            assertFalse(repeated.getString("run_id").equals(firstRun), "a new run carries the call out");
            List<JsonObject> carriedOut = client.run();
            assertEquals("completed", carriedOut.get(carriedOut.size() - 1).getString("status"), carriedOut::toString);
            assertEquals(1, count(carriedOut, "tool_executing", failing.getString("tool_call_id")));
            client.send(approve(failing));
            assertEquals(repeated.getString("run_id"), client.expect("answered").getString("run_id"), "carried out: nothing more starts");

            // a run cancelled once its call's step is taken: the call is interrupted, told to the model, never run
            cancelled = ask(client, "remember that " + DawdlingApprovals.BEFORE + ", then cancelled");
            client.send(approve(cancelled));
            String cancelledRun = client.expect("answered").getString("run_id");
            client.until(f -> f.getString("type").equals("approval_resolved"));
            client.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", cancelledRun).build());
            List<JsonObject> stoppedByCancel = client.run();
            assertEquals("cancelled", stoppedByCancel.get(stoppedByCancel.size() - 1).getString("status", ""), stoppedByCancel::toString);
            assertEquals(0, count(stoppedByCancel, "tool_executing", cancelled.getString("tool_call_id")));

            before = ask(client, "remember that " + DawdlingApprovals.BEFORE);
            during = ask(client, "remember that " + DawdlingApprovals.DURING);
            client.send(approve(before));
            client.until(f -> f.getString("type").equals("approval_resolved")); // the run waits before the call's step
            client.send(approve(during));
            client.until(f -> f.getString("type").equals("tool_executing"));
            awaitNotes(first, token, 2); // the call took effect; its result is not recorded
            pending = ask(client, "remember that " + PENDING);
            first.kill(); // right after the pause
        }

        try (var second = PayaraProcess.start(workDir, war, Map.of(), List.of(),
                PayaraProcess.trustingTestTokens(ApprovalServers.H2_WRITTEN_THROUGH)).awaitReady();
             var client = ChatClient.ready(second.server().chat(), token)) {
            JsonArray listed = second.server().getJson("api/approvals", token).getJsonArray("items");
            assertEquals(1, listed.size(), listed::toString);
            assertEquals(pending.getString("interrupt_id"), listed.getJsonObject(0).getString("interrupt_id"));

            // the call that had not started: its stopped run ended saying so, a new run carried it out once
            List<JsonObject> carried = awaitEvents(second.server(), token, before.getString("thread_id"), Duration.ofSeconds(60),
                    events -> events.stream().anyMatch(e -> e.getString("type").equals("agent_completed")
                            && e.getString("status").equals("completed")));
            String beforeCall = before.getString("tool_call_id");
            assertEquals(1, count(carried, "tool_executing", beforeCall), carried::toString);
            assertEquals(2, count(carried, "approval_resolved", beforeCall), "the stopped run's and the new one's: " + carried);
            assertTrue(carried.stream().anyMatch(e -> e.getString("type").equals("agent_error")
                    && e.getString("code").equals("RUN_INTERRUPTED") && e.getString("message").contains("new run")), carried::toString);

            // the call stopped in the middle: interrupted, told against its call id before the closing event
            List<JsonObject> stopped = awaitEvents(second.server(), token, during.getString("thread_id"), Duration.ofSeconds(30),
                    ApprovalServers::allEnded);
            String duringCall = during.getString("tool_call_id");
            assertEquals(1, count(stopped, "tool_executing", duringCall), stopped::toString);
            JsonObject told = stopped.get(stopped.size() - 2);
            assertEquals("tool_completed", told.getString("type"), stopped::toString);
            assertEquals(duringCall, told.getString("tool_call_id"));
            assertTrue(told.getBoolean("failed"));
            assertTrue(told.getString("output").contains("may or may not have taken effect"), told::toString);
            assertEquals("RUN_INTERRUPTED", stopped.get(stopped.size() - 1).getString("code"));

            // repeated answers to both run nothing again
            client.send(approve(during));
            assertTrue(client.expect("answered").getBoolean("duplicate"));
            client.send(approve(before));
            assertTrue(client.expect("answered").getBoolean("duplicate"));

            // the pending one, answered after the restart, runs once
            client.send(approve(pending));
            assertFalse(client.expect("answered").getBoolean("duplicate"));
            List<JsonObject> run = client.run();
            assertEquals("completed", run.get(run.size() - 1).getString("status"), run::toString);
            assertEquals(1, count(run, "tool_executing", pending.getString("tool_call_id")));

            List<String> toolMessages = second.server().getJson("api/threads/" + cancelled.getString("thread_id") + "/messages", token)
                    .getJsonArray("items").getValuesAs(JsonObject.class).stream().filter(m -> m.getString("role").equals("tool"))
                    .map(m -> m.getString("text")).toList();
            assertEquals(1, toolMessages.size(), toolMessages::toString);
            assertTrue(toolMessages.get(0).contains("may or may not have taken effect"), toolMessages::toString);
            client.send(approve(cancelled));
            assertTrue(client.expect("answered").getBoolean("duplicate"), "the interrupted call is not run again");

            List<String> notes = second.server().getJson("api/notes", token).getJsonArray("items").getValuesAs(JsonObject.class)
                    .stream().map(n -> n.getString("text")).sorted().toList();
            assertEquals(List.of(DawdlingApprovals.BEFORE, DawdlingApprovals.DURING, DawdlingApprovals.FAIL_ONCE, PENDING), notes,
                    "each call's effect once");
            assertEquals(stopped.size(), ApprovalServers.events(second.server(), token, during.getString("thread_id")).size(),
                    "the repeat started nothing");
            assertEquals(1, count(ApprovalServers.events(second.server(), token, before.getString("thread_id")), "tool_executing",
                    beforeCall));
        }
    }

    static void awaitNotes(PayaraProcess server, String token, int notes) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (server.server().getJson("api/notes", token).getJsonArray("items").size() < notes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the note was not saved");
            }
            Thread.sleep(50);
        }
    }
}
