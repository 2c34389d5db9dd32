package dev.agentwire.threads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.FaultyAgent;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** At most two runs per user at a time (the default); a user can cancel a run. */
class RunLimitsIT extends SuiteServerTest {

    @Test
    void thirdConcurrentRunIsRateLimitedAndCancelFreesASlot() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("impatient-user"))) {
            String first = startSlowRun(client);
            String second = startSlowRun(client);

            JsonObject refused = client.chat("and one more", null, "one-more").expectError("RATE_LIMITED");
            assertEquals(true, refused.getBoolean("retryable"));
            assertEquals("one-more", refused.getString("client_msg_id"), "the refusal names the chat it refuses");
            assertFalse(refused.containsKey("close_code"), "a refused run does not cost the session");

            client.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", first).build());
            List<JsonObject> ended = client.until(f -> f.getString("type").equals("agent_completed") && f.getString("run_id").equals(first));
            assertEquals("cancelled", ended.get(ended.size() - 1).getString("status"));

            client.chat("what is 2*2?");
            client.expect("ack");
            List<JsonObject> run = client.until(f -> f.getString("type").equals("agent_completed") && !f.getString("run_id").equals(second));
            assertEquals("completed", run.get(run.size() - 1).getString("status"));

            client.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", second).build());
            client.until(f -> f.getString("type").equals("agent_completed") && f.getString("run_id").equals(second));
        }
    }

    @Test
    void cancellingAnotherUsersRunIsRunNotFound() {
        try (var owner = ChatClient.ready(server.chat(), TestTokens.valid("run-owner"));
             var other = ChatClient.ready(server.chat(), TestTokens.valid("run-stranger"))) {
            String runId = startSlowRun(owner);
            other.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", runId).build()).expectError("RUN_NOT_FOUND");
            other.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", "no-such-run").build()).expectError("RUN_NOT_FOUND");
            owner.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", runId).build());
            List<JsonObject> ended = owner.until(f -> f.getString("type").equals("agent_completed"));
            assertEquals("cancelled", ended.get(ended.size() - 1).getString("status"));
        }
    }

    private static String startSlowRun(ChatClient client) {
        client.chat(FaultyAgent.SLOW);
        client.expect("ack");
        JsonObject started = client.expect("agent_started");
        client.expect("agent_thinking");
        return started.getString("run_id");
    }
}
