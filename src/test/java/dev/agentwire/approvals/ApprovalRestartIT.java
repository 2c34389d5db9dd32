package dev.agentwire.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pending approval survives a restart of the server (stopped as an operator stops it, on the
 * default H2 file database): listed after the restart, answered then, its call runs once. And an
 * interrupt not answered before its expiry is refused and runs nothing.
 */
class ApprovalRestartIT {

    @TempDir
    Path workDir;

    @Test
    void anApprovalPendingAcrossARestartIsAnsweredAfterIt() throws Exception {
        String token = TestTokens.valid("restart-approver");
        JsonObject asked;
        try (var first = PayaraProcess.start(workDir, Map.of(), PayaraProcess.trustingTestTokens()).awaitReady();
             var client = ChatClient.ready(first.server().chat(), token)) {
            client.chat("remember that the server restarted");
            List<JsonObject> run = client.run();
            assertEquals("awaiting_approval", run.get(run.size() - 1).getString("status"));
            asked = run.stream().filter(f -> f.getString("type").equals("approval_requested")).findFirst().orElseThrow();
        }
        // the second server lets new interrupts be answered for 2 s only; those asked before keep their expiry
        try (var second = PayaraProcess.start(workDir, Map.of(),
                PayaraProcess.trustingTestTokens("-Dagentwire.approvals.expiry-seconds=2")).awaitReady();
             var client = ChatClient.ready(second.server().chat(), token)) {
            JsonArray pending = second.server().getJson("api/approvals", token).getJsonArray("items");
            assertEquals(1, pending.size(), pending::toString);
            assertEquals(asked.getString("interrupt_id"), pending.getJsonObject(0).getString("interrupt_id"));

            client.send(Json.createObjectBuilder().add("type", "approve").add("interrupt_id", asked.getString("interrupt_id")).build());
            assertFalse(client.expect("answered").getBoolean("duplicate"));
            List<JsonObject> run = client.run();
            assertEquals("completed", run.get(run.size() - 1).getString("status"), run::toString);
            assertEquals(1, run.stream().filter(f -> f.getString("type").equals("tool_executing")).count());
            JsonArray notes = second.server().getJson("api/notes", token).getJsonArray("items");
            assertEquals(1, notes.size());
            assertEquals("the server restarted", notes.getJsonObject(0).getString("text"));

            // an interrupt not answered in time: the answer is refused, nothing runs, the thread goes on
            client.chat("remember that this expires");
            List<JsonObject> paused = client.run();
            JsonObject expiring = paused.stream().filter(f -> f.getString("type").equals("approval_requested")).findFirst().orElseThrow();
            Thread.sleep(2500);
            assertEquals(0, second.server().getJson("api/approvals", token).getJsonArray("items").size(), "an expired one is not pending");
            client.send(Json.createObjectBuilder().add("type", "approve").add("interrupt_id", expiring.getString("interrupt_id")).build());
            client.expectError("INTERRUPT_EXPIRED");
            client.chat("what are my notes?", expiring.getString("thread_id"));
            assertEquals("ack", client.next().getString("type"));
            List<JsonObject> listed = client.run();
            assertEquals("Your notes:\n- the server restarted", listed.get(listed.size() - 1).getString("text"));
            assertEquals(1, second.server().getJson("api/notes", token).getJsonArray("items").size());
        }
    }
}
