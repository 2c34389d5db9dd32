package dev.agentwire.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The calculator's bounds, seen through a chat: tiny questions cannot cost huge answers or long runs. */
class CalculatorIT extends SuiteServerTest {

    /** The slowest kind of step within the bounds: an exact remainder of a 1000-digit number by 1e-999. */
    private static final String SLOW_STEP = "9^1047%0.1^999";

    @Test
    void aResultBeyondTheBoundsEndsTheRunQuicklyWithAFailedToolResult() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("huge-result-user"))) {
            long started = System.nanoTime();
            client.chat("what is (9^9999)^300?");
            List<JsonObject> run = client.run();
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            System.out.println("(9^9999)^300: run ended after " + took.toMillis() + " ms");

            JsonObject tool = ofType(run, "tool_completed");
            assertTrue(tool.getBoolean("failed"));
            assertEquals("the result would have more than 1000 digits", tool.getString("output"));
            JsonObject end = run.get(run.size() - 1);
            assertEquals("agent_completed", end.getString("type"));
            assertEquals("I could not work out `(9^9999)^300`: the result would have more than 1000 digits.", end.getString("text"));
            assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
        }
    }

    @Test
    void theRemainderOfALargePowerIsAnswered() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("remainder-user"))) {
            client.chat("what is 10^100 % 3?");
            List<JsonObject> run = client.run();
            assertEquals("1", ofType(run, "tool_completed").getString("output"));
            assertEquals("`10^100 % 3` = 1", run.get(run.size() - 1).getString("text"));
        }
    }

    /**
     * A calculation of many slow steps (about half a second in all here) is stopped by a cancel
     * at its next step: the run ends cancelled, without a tool result, soon after the cancel.
     */
    @Test
    void cancelStopsACalculationInTheMiddle() {
        StringBuilder expression = new StringBuilder(SLOW_STEP);
        while (expression.length() + SLOW_STEP.length() + 1 <= 512) {
            expression.append('+').append(SLOW_STEP);
        }
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("cancelling-user"))) {
            client.chat("what is " + expression + "?");
            List<JsonObject> before = client.until(f -> f.getString("type").equals("tool_executing"));
            String runId = ofType(before, "agent_started").getString("run_id");
            long cancelled = System.nanoTime();
            client.send(Json.createObjectBuilder().add("type", "cancel").add("run_id", runId).build());
            List<JsonObject> after = client.run();
            Duration took = Duration.ofNanos(System.nanoTime() - cancelled);
            System.out.println("slow calculation: run ended " + took.toMillis() + " ms after the cancel");

            JsonObject end = after.get(after.size() - 1);
            assertEquals("agent_completed", end.getString("type"), () -> "ended with " + end);
            assertEquals("cancelled", end.getString("status"));
            assertTrue(after.stream().noneMatch(f -> f.getString("type").equals("tool_completed")), () -> "events " + after);
        }
    }

    private static JsonObject ofType(List<JsonObject> frames, String type) {
        return frames.stream().filter(f -> f.getString("type").equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + frames));
    }
}
