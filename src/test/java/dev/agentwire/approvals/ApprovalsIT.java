package dev.agentwire.approvals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Durable approval of tool calls over the WebSocket, with the offline agent's save_note tool
 * (which waits for approval by default): the pause, the answer from any tab, the continuing run,
 * the refusals, and many concurrent and repeated answers to one interrupt.
 */
class ApprovalsIT extends SuiteServerTest {

    /** A run that asks to save a note; returns its approval_requested. */
    private static JsonObject askToRemember(ChatClient client, String note) {
        client.chat("remember that " + note);
        List<JsonObject> run = client.run();
        JsonObject end = run.get(run.size() - 1);
        assertEquals("agent_completed", end.getString("type"), () -> "ended with " + run);
        assertEquals("awaiting_approval", end.getString("status"));
        JsonObject asked = ofType(run, "approval_requested");
        assertEquals("save_note", asked.getString("tool"));
        assertEquals(Json.createObjectBuilder().add("text", note).build(), asked.getJsonObject("arguments"));
        assertTrue(asked.getString("fingerprint").matches("sha256:[0-9a-f]{64}"), asked::toString);
        assertEquals("Save a note: " + note, asked.getString("message"));
        assertTrue(asked.getBoolean("editable"));
        return asked;
    }

    private static JsonObject approve(String interruptId) {
        return Json.createObjectBuilder().add("type", "approve").add("interrupt_id", interruptId).build();
    }

    private static JsonObject reject(String interruptId, String reason) {
        return Json.createObjectBuilder().add("type", "reject").add("interrupt_id", interruptId).add("reason", reason).build();
    }

    private JsonArray notesOf(String token) {
        return server.getJson("api/notes", token).getJsonArray("items");
    }

    @Test
    void anApprovedCallRunsOnceAndEveryTabSeesTheAnswer() {
        String token = TestTokens.valid(fresh("approving-user"));
        try (var first = ChatClient.ready(server.chat(), token); var second = ChatClient.ready(server.chat(), token)) {
            JsonObject asked = askToRemember(first, "the meeting is at 10");
            String threadId = asked.getString("thread_id");
            String interruptId = asked.getString("interrupt_id");

            // the second tab comes later, and finds the interrupt both in the log and over REST
            second.send(Json.createObjectBuilder().add("type", "resume").add("thread_id", threadId).add("after_seq", 0).build());
            List<JsonObject> replayed = second.until(f -> f.getString("type").equals("resumed"));
            assertEquals(asked, ofType(replayed, "approval_requested"));
            JsonArray pending = server.getJson("api/approvals", token).getJsonArray("items");
            assertEquals(1, pending.size(), pending::toString);
            assertEquals(interruptId, pending.getJsonObject(0).getString("interrupt_id"));
            assertEquals(asked.getString("fingerprint"), pending.getJsonObject(0).getString("fingerprint"));
            assertEquals(pending, server.getJson("api/approvals?thread_id=" + threadId, token).getJsonArray("items"));

            // while it waits, the thread takes no new message
            first.chat("and another thing", threadId, "while-pending");
            assertEquals("while-pending", first.expectError("APPROVAL_PENDING").getString("client_msg_id"));

            second.send(approve(interruptId));
            JsonObject answered = second.expect("answered");
            assertEquals("approved", answered.getString("decision"));
            assertFalse(answered.getBoolean("duplicate"));
            String runId = answered.getString("run_id");

            for (ChatClient tab : List.of(first, second)) {
                List<JsonObject> run = tab.run();
                assertEquals(runId, run.get(0).getString("run_id"));
                assertEquals("agent_started", run.get(0).getString("type"));
                JsonObject resolved = run.get(1);
                assertEquals("approval_resolved", resolved.getString("type"), run::toString);
                assertEquals("approved", resolved.getString("decision"));
                assertFalse(resolved.getBoolean("edited"));
                assertEquals(asked.getString("tool_call_id"), resolved.getString("tool_call_id"));
                JsonObject executing = ofType(run, "tool_executing");
                assertEquals(asked.getString("tool_call_id"), executing.getString("tool_call_id"));
                JsonObject completed = ofType(run, "tool_completed");
                assertFalse(completed.getBoolean("failed"));
                assertEquals(asked.getString("tool_call_id"), completed.getString("tool_call_id"));
                JsonObject end = run.get(run.size() - 1);
                assertEquals("completed", end.getString("status"));
                assertTrue(end.getString("text").endsWith(": the meeting is at 10"), end::toString);
            }

            // the first tab answers too, late: the first answer's outcome, nothing runs again
            first.send(approve(interruptId));
            JsonObject repeated = first.expect("answered");
            assertTrue(repeated.getBoolean("duplicate"));
            assertEquals(runId, repeated.getString("run_id"));
            first.send(reject(interruptId, "changed my mind"));
            first.expectError("INTERRUPT_ANSWERED");

            JsonArray notes = notesOf(token);
            assertEquals(1, notes.size(), notes::toString);
            assertEquals("the meeting is at 10", notes.getJsonObject(0).getString("text"));
            assertEquals(asked.getString("tool_call_id"), notes.getJsonObject(0).getString("tool_call_id"));
            assertEquals(0, server.getJson("api/approvals", token).getJsonArray("items").size());

            // the thread goes on, and the notes can be read back in it
            first.chat("what are my notes?", threadId);
            List<JsonObject> listed = first.run();
            assertEquals("Your notes:\n- the meeting is at 10", listed.get(listed.size() - 1).getString("text"));
        }
    }

    @Test
    void aRejectionReachesTheAgentAsTheCallsResultAndNothingRuns() {
        String token = TestTokens.valid(fresh("rejecting-user"));
        try (var client = ChatClient.ready(server.chat(), token)) {
            JsonObject asked = askToRemember(client, "buy a boat");
            client.send(reject(asked.getString("interrupt_id"), "not now"));
            assertEquals("rejected", client.expect("answered").getString("decision"));
            List<JsonObject> run = client.run();
            JsonObject resolved = ofType(run, "approval_resolved");
            assertEquals("rejected", resolved.getString("decision"));
            assertEquals("not now", resolved.getString("reason"));
            assertTrue(run.stream().noneMatch(f -> f.getString("type").equals("tool_executing")), run::toString);
            JsonObject result = ofType(run, "tool_completed");
            assertTrue(result.getBoolean("failed"));
            assertEquals("The person declined this call: not now", result.getString("output"));
            assertEquals("The person declined this call: not now", run.get(run.size() - 1).getString("text"));
            assertEquals(0, notesOf(token).size());
        }
    }

    @Test
    void editedArgumentsAreCheckedAgainstTheToolsSchemaAndTheSessionStays() {
        String token = TestTokens.valid(fresh("editing-user"));
        try (var client = ChatClient.ready(server.chat(), token)) {
            String interruptId = askToRemember(client, "draft").getString("interrupt_id");
            assertProblem(client, interruptId, Json.createObjectBuilder().add("text", 5).build(), "arguments.text");
            assertProblem(client, interruptId, Json.createObjectBuilder().add("text", "x").add("extra", 1).build(), "arguments.extra");
            assertProblem(client, interruptId, Json.createObjectBuilder().add("text", "x".repeat(2001)).build(), "arguments.text");
            assertProblem(client, interruptId, Json.createObjectBuilder().add("text", "x".repeat(40_000)).build(), "arguments");
            String deep = "{\"a\":".repeat(200) + "1" + "}".repeat(200);
            client.send("{\"type\":\"approve\",\"interrupt_id\":\"" + interruptId + "\",\"arguments\":" + deep + "}");
            assertEquals("arguments", client.expectError("VALIDATION_FAILED").getJsonArray("problems").getJsonObject(0).getString("field"));
            client.send("{\"type\":\"approve\",\"interrupt_id\":\"" + interruptId + "\",\"arguments\":[1]}");
            client.expectError("INVALID_FRAME");

            client.send(Json.createObjectBuilder().add("type", "approve").add("interrupt_id", interruptId)
                    .add("arguments", Json.createObjectBuilder().add("text", "the final text")).build());
            assertFalse(client.expect("answered").getBoolean("duplicate"));
            List<JsonObject> run = client.run();
            JsonObject resolved = ofType(run, "approval_resolved");
            assertTrue(resolved.getBoolean("edited"));
            assertEquals(Json.createObjectBuilder().add("text", "the final text").build(), resolved.getJsonObject("arguments"));
            assertEquals("the final text", notesOf(token).getJsonObject(0).getString("text"));
        }
    }

    private static void assertProblem(ChatClient client, String interruptId, JsonObject arguments, String field) {
        client.send(Json.createObjectBuilder().add("type", "approve").add("interrupt_id", interruptId).add("arguments", arguments).build());
        JsonObject error = client.expectError("VALIDATION_FAILED");
        assertEquals(field, error.getJsonArray("problems").getJsonObject(0).getString("field"), error::toString);
    }

    @Test
    void answersToUnknownForeignOrMalformedInterruptsAreRefusedAndRunNothing() {
        String owner = TestTokens.valid(fresh("interrupt-owner"));
        try (var client = ChatClient.ready(server.chat(), owner);
             var stranger = ChatClient.ready(server.chat(), TestTokens.valid(fresh("interrupt-stranger")))) {
            String interruptId = askToRemember(client, "a secret").getString("interrupt_id");
            stranger.send(approve(interruptId));
            stranger.expectError("INTERRUPT_NOT_FOUND");
            stranger.send(approve("0193aaaa-0000-7000-8000-000000000000"));
            stranger.expectError("INTERRUPT_NOT_FOUND");
            stranger.send(approve("../../etc"));
            assertEquals("interrupt_id", stranger.expectError("VALIDATION_FAILED").getJsonArray("problems").getJsonObject(0)
                    .getString("field"));
            stranger.send(approve("x".repeat(65)));
            stranger.expectError("VALIDATION_FAILED");
            stranger.send(Json.createObjectBuilder().add("type", "ping").build());
            stranger.expect("pong");
            assertEquals(1, server.getJson("api/approvals", owner).getJsonArray("items").size());
            assertEquals(0, notesOf(owner).size());
        }
    }

    /**
     * Randomized: in each trial one interrupt gets a burst of approvals (some with the same edit,
     * some with another) and rejections at once, from three connections of its user. Exactly one
     * answer wins; every other one is a duplicate of it or INTERRUPT_ANSWERED; the tool ran once
     * when an approval won and never when a rejection did.
     */
    @Test
    void concurrentAndRepeatedAnswersRunACallAtMostOnce() throws Exception {
        int trials = Integer.getInteger("approvals.trials", 20);
        long seed = Long.getLong("approvals.seed", System.nanoTime());
        Random random = new Random(seed);
        int duplicateExecutions = 0;
        int unapprovedExecutions = 0;
        int answers = 0;
        int refusedForSlots = 0;
        ExecutorService senders = Executors.newFixedThreadPool(3);
        try {
            for (int trial = 0; trial < trials; trial++) {
                String token = TestTokens.valid("racing-user-" + seed + "-" + trial);
                List<ChatClient> tabs = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        tabs.add(ChatClient.ready(server.chat(), token));
                    }
                    JsonObject asked = askToRemember(tabs.get(0), "race " + trial);
                    String interruptId = asked.getString("interrupt_id");
                    int perTab = 4 + random.nextInt(8); // at most 33 in all: within the per-user burst of frames
                    List<List<JsonObject>> frames = new ArrayList<>();
                    for (int t = 0; t < tabs.size(); t++) {
                        List<JsonObject> mine = new ArrayList<>();
                        for (int i = 0; i < perTab; i++) {
                            int kind = random.nextInt(4);
                            mine.add(kind == 0 ? reject(interruptId, "no")
                                    : kind == 1 ? Json.createObjectBuilder().add("type", "approve").add("interrupt_id", interruptId)
                                            .add("arguments", Json.createObjectBuilder().add("text", "edited")).build()
                                    : approve(interruptId));
                        }
                        frames.add(mine);
                    }
                    CountDownLatch go = new CountDownLatch(1);
                    List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
                    for (int t = 0; t < tabs.size(); t++) {
                        ChatClient tab = tabs.get(t);
                        List<JsonObject> mine = frames.get(t);
                        sent.add(senders.submit(() -> {
                            go.await();
                            mine.forEach(tab::send);
                            return null;
                        }));
                    }
                    go.countDown();
                    for (var future : sent) {
                        future.get(30, TimeUnit.SECONDS);
                    }
                    int won = 0;
                    String winner = null;
                    String winningRun = null;
                    for (int t = 0; t < tabs.size(); t++) {
                        int replies = 0;
                        while (replies < perTab) {
                            JsonObject frame = tabs.get(t).next();
                            String type = frame.getString("type");
                            if (type.equals("answered")) {
                                replies++;
                                if (!frame.getBoolean("duplicate")) {
                                    won++;
                                    winner = frame.getString("decision");
                                    winningRun = frame.getString("run_id");
                                }
                            } else if (type.equals("error")) {
                                // another answer won, or it holds the user's run slots at this instant
                                assertTrue(List.of("INTERRUPT_ANSWERED", "RATE_LIMITED").contains(frame.getString("code")),
                                        frame::toString);
                                refusedForSlots += frame.getString("code").equals("RATE_LIMITED") ? 1 : 0;
                                replies++;
                            }
                        }
                        answers += replies;
                    }
                    assertEquals(1, won, "exactly one answer wins in trial " + trial + " (seed " + seed + ")");
                    List<JsonObject> run = endedRun(token, asked.getString("thread_id"), winningRun);
                    long executions = run.stream().filter(f -> f.getString("type").equals("tool_executing")).count();
                    int notes = notesOf(token).size();
                    if ("approved".equals(winner)) {
                        duplicateExecutions += Math.max(0, notes - 1) + (int) Math.max(0, executions - 1);
                    } else {
                        unapprovedExecutions += notes + (int) executions;
                    }
                } finally {
                    tabs.forEach(ChatClient::close);
                }
            }
        } finally {
            senders.shutdownNow();
        }
        System.out.println("approvals race: " + trials + " trials, " + answers + " answers, seed " + seed + ": "
                + duplicateExecutions + " duplicate and " + unapprovedExecutions + " unapproved executions, "
                + refusedForSlots + " answers refused RATE_LIMITED while the winner held the run slots");
        assertEquals(0, duplicateExecutions);
        assertEquals(0, unapprovedExecutions);
    }

    /** The thread's events of the run, read over REST once the run has ended. */
    private List<JsonObject> endedRun(String token, String threadId, String runId) throws InterruptedException {
        long deadline = System.nanoTime() + ChatClient.WAIT.toNanos();
        while (true) {
            List<JsonObject> events = server.getJson("api/threads/" + threadId + "/events?limit=1000", token)
                    .getJsonArray("items").getValuesAs(JsonObject.class);
            if (events.stream().anyMatch(e -> e.getString("run_id").equals(runId)
                    && (e.getString("type").equals("agent_completed") || e.getString("type").equals("agent_error")))) {
                return events;
            }
            assertTrue(System.nanoTime() < deadline, "the run " + runId + " did not end: " + events);
            Thread.sleep(50);
        }
    }

    /** A user of this test run alone: the suite's database outlives runs. */
    private static String fresh(String user) {
        return user + "-" + java.util.UUID.randomUUID();
    }

    private static JsonObject ofType(List<JsonObject> frames, String type) {
        return frames.stream().filter(f -> f.getString("type").equals(type)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " in " + frames));
    }

}
