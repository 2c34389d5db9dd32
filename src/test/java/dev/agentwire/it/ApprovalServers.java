package dev.agentwire.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentwire.approvals.control.DawdlingApprovals;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** What the tests that kill servers with approvals in flight share: the WAR that can pause a call, and reading a thread. */
public final class ApprovalServers {

    /** The default H2 file database, written through at each commit, so that a SIGKILL loses no committed transaction. */
    public static final String H2_WRITTEN_THROUGH = "-Dagentwire.db.url=jdbc:h2:file:./data/agentwire;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";

    private ApprovalServers() {
    }

    /** The WAR of the build with {@link DawdlingApprovals} added, written into {@code dir}. */
    public static Path dawdlingWar(Path dir) {
        Path war = dir.resolve("agentwire-dawdling.war");
        ShrinkWrap.create(ZipImporter.class, "agentwire.war").importFrom(Path.of(System.getProperty("agentwire.war")).toFile())
                .as(WebArchive.class).addClass(DawdlingApprovals.class).as(ZipExporter.class).exportTo(war.toFile(), true);
        return war;
    }

    /** Asks for a note in a new thread; returns its approval_requested, once the run ended awaiting the answer. */
    public static JsonObject ask(ChatClient client, String text) {
        client.chat(text);
        List<JsonObject> run = client.run();
        assertEquals("awaiting_approval", run.get(run.size() - 1).getString("status", ""), run::toString);
        return run.stream().filter(f -> f.getString("type").equals("approval_requested")).findFirst().orElseThrow();
    }

    public static JsonObject approve(JsonObject asked) {
        return Json.createObjectBuilder().add("type", "approve").add("interrupt_id", asked.getString("interrupt_id")).build();
    }

    public static JsonObject reject(JsonObject asked) {
        return Json.createObjectBuilder().add("type", "reject").add("interrupt_id", asked.getString("interrupt_id"))
                .add("reason", "not now").build();
    }

    /** The thread's stored events. */
    public static List<JsonObject> events(Server server, String token, String thread) {
        return server.getJson("api/threads/" + thread + "/events?limit=1000", token).getJsonArray("items").getValuesAs(JsonObject.class);
    }

    /** The thread's stored events once {@code done} holds for them, at most {@code timeout}. */
    public static List<JsonObject> awaitEvents(Server server, String token, String thread, Duration timeout,
                                               Predicate<List<JsonObject>> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JsonObject> events = events(server, token, thread);
            if (done.test(events)) {
                return events;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + events);
            }
            Thread.sleep(200);
        }
    }

    /** How many of the events are of {@code type} for the call {@code toolCallId}. */
    public static long count(List<JsonObject> events, String type, String toolCallId) {
        return events.stream().filter(e -> e.getString("type").equals(type) && toolCallId.equals(e.getString("tool_call_id", null)))
                .count();
    }

    /** Whether every run of the thread has its closing event. */
    public static boolean allEnded(List<JsonObject> events) {
        long started = events.stream().filter(e -> e.getString("type").equals("agent_started")).count();
        long ended = events.stream().filter(e -> e.getString("type").equals("agent_completed") || e.getString("type").equals("agent_error"))
                .count();
        return ended >= started;
    }
}
