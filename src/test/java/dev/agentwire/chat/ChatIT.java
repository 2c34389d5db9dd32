package dev.agentwire.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** A chat becomes an agent run that streams its five events, in order, to its user only. */
class ChatIT extends SuiteServerTest {

    static final List<String> TOOL_RUN = List.of("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed");

    @Test
    void toolRunStreamsFiveEventsInOrderWithOneRunId() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("calc-user"))) {
            client.chat("what is 12*(3+4)?");
            List<JsonObject> run = client.run();
            assertEquals(TOOL_RUN, run.stream().map(f -> f.getString("type")).toList());

            String runId = run.get(0).getString("run_id");
            String threadId = run.get(0).getString("thread_id");
            Instant previous = Instant.MIN;
            for (int i = 0; i < run.size(); i++) {
                JsonObject event = run.get(i);
                assertEquals(runId, event.getString("run_id"));
                assertEquals(threadId, event.getString("thread_id"));
                assertEquals(i + 1, event.getInt("seq"));
                Instant at = Instant.parse(event.getString("timestamp"));
                assertFalse(at.isBefore(previous), "timestamps do not go back");
                previous = at;
            }
            assertEquals("calculator", run.get(2).getString("tool"));
            assertEquals("12*(3+4)", run.get(2).getJsonObject("input").getString("expression"));
            assertEquals("84", run.get(3).getString("output"));
            assertTrue(run.get(4).getString("text").contains("84"));
            assertEquals("completed", run.get(4).getString("status"));
        }
    }

    @Test
    void messageWithoutArithmeticStillStartsThinksAndCompletes() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("talk-user"))) {
            client.chat("hello there");
            assertEquals(List.of("agent_started", "agent_thinking", "agent_completed"),
                    client.run().stream().map(f -> f.getString("type")).toList());
        }
    }

    @Test
    void seqKeepsGrowingWithinAThread() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("thread-user"))) {
            client.chat("what is 1+1?");
            String threadId = client.expect("ack").getString("thread_id");
            List<JsonObject> first = client.run();
            client.chat("and 2+2?", threadId);
            List<JsonObject> second = client.run();
            assertEquals(threadId, second.get(0).getString("thread_id"));
            assertEquals(first.get(first.size() - 1).getInt("seq") + 1, second.get(0).getInt("seq"));
            assertFalse(first.get(0).getString("run_id").equals(second.get(0).getString("run_id")));
        }
    }

    @Test
    void fiftyConcurrentUsersSeeOnlyTheirOwnFrames() throws Exception {
        int users = 50;
        ExecutorService pool = Executors.newFixedThreadPool(users);
        try {
            List<Future<List<JsonObject>>> results = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                int n = u;
                results.add(pool.submit(() -> {
                    try (var client = ChatClient.ready(server.chat(), TestTokens.valid("crowd-" + n))) {
                        client.chat("what is " + n + "*1000+" + n + "?");
                        List<JsonObject> run = client.run();
                        Thread.sleep(300); // let any misrouted frame arrive
                        run.addAll(client.drain());
                        return run;
                    }
                }));
            }
            for (int u = 0; u < users; u++) {
                List<JsonObject> frames = results.get(u).get();
                String expected = Integer.toString(u * 1000 + u);
                assertEquals(TOOL_RUN, frames.stream().map(f -> f.getString("type")).toList(), "user " + u + " got " + frames);
                assertEquals(expected, frames.get(3).getString("output"), "user " + u + " got another user's result");
                assertEquals(1, frames.stream().map(f -> f.getString("run_id")).distinct().count());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
