package dev.agentwire.approvals;

import static dev.agentwire.it.ApprovalServers.approve;
import static dev.agentwire.it.ApprovalServers.ask;
import static dev.agentwire.it.ApprovalServers.count;
import static dev.agentwire.it.ApprovalServers.events;
import static dev.agentwire.it.ApprovalServers.reject;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentwire.it.ApprovalServers;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.Server;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized faults over many trials. A trial is one approval of a note, in a thread of its own
 * user, with two tabs open: left unanswered, approved, rejected, or approved on one tab and
 * rejected on the other at once, each answer sent one to three times from either tab, all
 * trials of a server's life at random moments of one burst, and the server killed (SIGKILL) at a
 * random moment of it; so at the kill a trial is pending, answered, approved and not started,
 * in the middle of its call (the call paused for up to 300 ms before its step to executing and
 * before its result is recorded, see DawdlingApprovals), or done. Then the next life: recovery
 * alone must bring every call that was approved at the kill to its end (executed, or interrupted
 * and told), every person answers again (the unanswered for the first time), and the database,
 * read when the last server stopped, must show 0 duplicate executions (tool_executing events or
 * notes of one call), 0 executions of a call not approved, and 0 approved calls left neither
 * executed nor interrupted.
 *
 * <p>By default 3 lives of 24 trials (72 trials, 4 server starts, about two minutes); more with
 * {@code -Dagentwire.faults.lives=N -Dagentwire.faults.trials=M}; the seed is printed and can be
 * given back with {@code -Dagentwire.faults.seed}. The counts are printed, see docs/benchmarks.md.
 */
class ApprovalFaultsIT {

    static final int LIVES = Integer.getInteger("agentwire.faults.lives", 3);
    static final int TRIALS = Integer.getInteger("agentwire.faults.trials", 24);
    static final long SEED = Long.getLong("agentwire.faults.seed", System.nanoTime());
    static final long RECOVERY_WAIT_MS = 60_000;

    enum Plan { NONE, APPROVE, REJECT, BOTH }

    record Trial(String token, JsonObject asked, Plan plan) {
        String thread() {
            return asked.getString("thread_id");
        }

        String call() {
            return asked.getString("tool_call_id");
        }
    }

    @TempDir
    Path workDir;

    @Test
    void killsAtRandomPointsRunNoCallTwiceNoneUnapprovedAndLeaveNoApprovedCallWithoutAnEnd() throws Exception {
        System.out.println("ApprovalFaultsIT: seed " + SEED + ", " + LIVES + " lives of " + TRIALS + " trials");
        Random random = new Random(SEED);
        Path war = ApprovalServers.dawdlingWar(workDir);
        List<Trial> previous = List.of();
        Map<String, String> atKill = Map.of();
        Map<String, Integer> killedAt = new TreeMap<>();
        int notRecovered = 0;
        int trials = 0;
        for (int life = 0; life <= LIVES; life++) {
            try (var payara = PayaraProcess.start(workDir, war, Map.of(), List.of(), PayaraProcess.trustingTestTokens(
                    ApprovalServers.H2_WRITTEN_THROUGH, "-Dagentwire.test.dawdle=random", "-Dagentwire.test.dawdle-ms=300")).awaitReady()) {
                Server server = payara.server();
                notRecovered += awaitRecovered(server, previous, atKill);
                answerAgain(server, previous);
                if (life == LIVES) {
                    break; // stopped as an operator stops it: then the database is read
                }
                List<Trial> asked = askAll(server, life, random);
                trials += asked.size();
                burstAndKill(payara, asked, random);
                previous = asked;
            }
            atKill = states();
            for (Trial trial : previous) {
                killedAt.merge(atKill.getOrDefault(trial.asked().getString("interrupt_id"), "not stored"), 1, Integer::sum);
            }
        }

        int duplicates = 0;
        int unapproved = 0;
        int left = notRecovered;
        int interrupted = 0;
        int executed = 0;
        String url = "jdbc:h2:file:" + workDir.resolve("data/agentwire") + ";USER=agentwire;PASSWORD=agentwire";
        try (var connection = DriverManager.getConnection(url); var sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("select a.state, a.decision,"
                     + " (select count(*) from run_event e where e.type = 'tool_executing'"
                     + "  and e.payload like '%\"tool_call_id\":\"' || a.tool_call_id || '\"%'),"
                     + " (select count(*) from user_note n where n.tool_call_id = a.tool_call_id)"
                     + " from tool_approval a")) {
            while (rows.next()) {
                String state = rows.getString(1);
                boolean approved = "approved".equals(rows.getString(2));
                long executions = Math.max(rows.getLong(3), rows.getLong(4));
                duplicates += rows.getLong(3) > 1 || rows.getLong(4) > 1 ? 1 : 0;
                unapproved += executions > 0 && !approved ? 1 : 0;
                boolean ended = state.equals("executed") && rows.getLong(4) == 1 || state.equals("interrupted");
                left += approved && !ended ? 1 : 0;
                interrupted += state.equals("interrupted") ? 1 : 0;
                executed += state.equals("executed") ? 1 : 0;
            }
        }
        System.out.println("ApprovalFaultsIT: " + trials + " trials; at the kills " + killedAt + "; in the end " + executed
                + " executed, " + interrupted + " interrupted; duplicate executions " + duplicates + ", unapproved executions "
                + unapproved + ", approved calls left neither executed nor interrupted " + left
                + " (of them not ended by recovery alone: " + notRecovered + ")");
        assertEquals(0, duplicates, "duplicate executions");
        assertEquals(0, unapproved, "executions of calls not approved");
        assertEquals(0, left, "approved calls left neither executed nor interrupted");
    }

    /** Each trial asks for its note in a new thread of its own user. */
    static List<Trial> askAll(Server server, int life, Random random) {
        List<Trial> asked = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            String token = TestTokens.valid("faults-" + life + "-" + i);
            try (var client = ChatClient.ready(server.chat(), token)) {
                asked.add(new Trial(token, ask(client, "remember that trial " + life + "-" + i), Plan.values()[random.nextInt(4)]));
            }
        }
        return asked;
    }

    /** Every trial's answers at random moments of 400 ms, from two tabs each, and the kill at a random moment of 600 ms. */
    static void burstAndKill(PayaraProcess payara, List<Trial> trials, Random random) throws Exception {
        List<ChatClient> tabs = new ArrayList<>();
        ScheduledExecutorService sender = Executors.newScheduledThreadPool(8);
        try {
            for (Trial trial : trials) { // every tab open before the first answer
                tabs.add(ChatClient.ready(payara.server().chat(), trial.token()));
                tabs.add(ChatClient.ready(payara.server().chat(), trial.token()));
            }
            for (int t = 0; t < trials.size(); t++) {
                Trial trial = trials.get(t);
                ChatClient one = tabs.get(2 * t);
                ChatClient other = tabs.get(2 * t + 1);
                List<JsonObject> answers = switch (trial.plan()) {
                    case NONE -> List.of();
                    case APPROVE -> List.of(approve(trial.asked()));
                    case REJECT -> List.of(reject(trial.asked()));
                    case BOTH -> List.of(approve(trial.asked()), reject(trial.asked()));
                };
                for (JsonObject answer : answers) {
                    for (int repeat = random.nextInt(3); repeat >= 0; repeat--) {
                        ChatClient tab = random.nextBoolean() ? one : other;
                        sender.schedule(() -> send(tab, answer), random.nextInt(400), TimeUnit.MILLISECONDS);
                    }
                }
            }
            Thread.sleep(random.nextInt(600));
            payara.kill();
        } finally {
            sender.shutdownNow();
            tabs.forEach(ChatClient::close);
        }
    }

    private static void send(ChatClient tab, JsonObject answer) {
        try {
            tab.send(answer);
        } catch (RuntimeException killed) {
            // the server is gone: this answer was never sent
        }
    }

    /** The state of every interrupt, read from the stopped server's database. */
    Map<String, String> states() throws Exception {
        Map<String, String> states = new HashMap<>();
        String url = "jdbc:h2:file:" + workDir.resolve("data/agentwire") + ";USER=agentwire;PASSWORD=agentwire";
        try (var connection = DriverManager.getConnection(url); var sql = connection.createStatement();
             ResultSet rows = sql.executeQuery("select id, state, decision from tool_approval")) {
            while (rows.next()) {
                String state = rows.getString(2);
                states.put(rows.getString(1), state.equals("resolved") ? "resolved " + rows.getString(3) : state);
            }
        }
        return states;
    }

    /**
     * Waits, with no answer sent, until every call approved at the kill that had not ended has:
     * its tool_completed and every run of its thread closed. Returns how many did not in time.
     */
    static int awaitRecovered(Server server, List<Trial> trials, Map<String, String> atKill) throws InterruptedException {
        long deadline = System.currentTimeMillis() + RECOVERY_WAIT_MS;
        int missing = 0;
        for (Trial trial : trials) {
            String state = atKill.get(trial.asked().getString("interrupt_id"));
            if (!"resolved approved".equals(state) && !"executing".equals(state)) {
                continue;
            }
            while (true) {
                List<JsonObject> events = events(server, trial.token(), trial.thread());
                if (count(events, "tool_completed", trial.call()) == 1 && ApprovalServers.allEnded(events)) {
                    break;
                }
                if (System.currentTimeMillis() > deadline) {
                    System.out.println("ApprovalFaultsIT: not ended by recovery (" + state + "): " + events);
                    missing++;
                    break;
                }
                Thread.sleep(100);
            }
        }
        return missing;
    }

    /** Each person answers again as planned (the unanswered approve now) and waits for the run the answer names to end. */
    static void answerAgain(Server server, List<Trial> trials) throws InterruptedException {
        for (Trial trial : trials) {
            JsonObject answer = trial.plan() == Plan.REJECT ? reject(trial.asked()) : approve(trial.asked());
            JsonObject outcome;
            try (var client = ChatClient.ready(server.chat(), trial.token())) {
                client.send(answer);
                outcome = client.until(f -> f.getString("type").equals("answered") || f.getString("type").equals("error"))
                        .stream().reduce((a, b) -> b).orElseThrow();
            }
            if (outcome.getString("type").equals("error")) {
                assertEquals("INTERRUPT_ANSWERED", outcome.getString("code"), outcome::toString); // the other answer won
                continue;
            }
            String run = outcome.getString("run_id");
            long deadline = System.currentTimeMillis() + 30_000;
            while (events(server, trial.token(), trial.thread()).stream().noneMatch(e -> run.equals(e.getString("run_id"))
                    && (e.getString("type").equals("agent_completed") || e.getString("type").equals("agent_error")))) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("the run " + run + " of the answer did not end: " + events(server, trial.token(), trial.thread()));
                }
                Thread.sleep(100);
            }
        }
    }
}
