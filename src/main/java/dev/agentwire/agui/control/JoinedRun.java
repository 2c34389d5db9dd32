package dev.agentwire.agui.control;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One run's AG-UI stream as one client gets it: from the run's first event, or joined after the
 * client's cursor ({@code Last-Event-ID}). The run's stored events come in seq order, from its
 * first one, whether read from the log or live; this decides what the client is sent of each.
 *
 * <p>Joined after a cursor, the events up to it are not sent again; they are folded into a
 * {@link RunTranscript}. The first event after the cursor is preceded by what AG-UI's client needs
 * to accept a stream that begins in the middle: RUN_STARTED, a MESSAGES_SNAPSHOT of the run so
 * far, and a start event for each message and tool call still open. A run that had ended at the
 * cursor gets the same, then its closing event again, so the stream still ends as AG-UI requires.
 * A cursor before the run's first event is the stream from the start.
 */
public final class JoinedRun {

    private final String threadId;
    private final String runId;
    private final JsonObject message;
    private final Cursor cursor;
    private final RunMapping mapping;
    private final RunTranscript transcript = new RunTranscript();
    private boolean seenAny;
    private boolean joined;

    /**
     * @param message the message the run answers, in AG-UI's shape, for the snapshot
     * @param cursor  where the client is; null for the whole run
     */
    public JoinedRun(String threadId, String runId, JsonObject message, Cursor cursor) {
        this.threadId = threadId;
        this.runId = runId;
        this.message = message;
        this.cursor = cursor;
        this.mapping = new RunMapping(threadId, runId);
        this.joined = cursor == null;
    }

    /** What the client is sent of the next stored event of the thread (another run's: nothing). */
    public List<AguiEvent> next(JsonObject stored) {
        List<AguiEvent> mapped = mapping.map(stored);
        if (joined) {
            return mapped;
        }
        long seq = stored.getJsonNumber("seq").longValue();
        List<AguiEvent> send = new ArrayList<>();
        for (int i = 0; i < mapped.size(); i++) {
            AguiEvent event = mapped.get(i);
            if (!joined && !cursor.isBefore(seq, i + 1)) {
                transcript.apply(event);
                seenAny = true;
                continue;
            }
            if (!joined) {
                joined = true;
                if (seenAny) {
                    send.addAll(preamble());
                }
            }
            send.add(event);
        }
        if (!joined && mapping.ended() && !mapped.isEmpty()) {
            // the client had seen the whole run: restate it, and end the stream as before
            joined = true;
            send.addAll(preamble());
            send.add(mapped.get(mapped.size() - 1));
        }
        return send;
    }

    /**
     * Whether agentwire sent an event with the id of {@code cursor} in this run: {@code runEvents}
     * are the run's stored events from its first to the cursor's seq, in order.
     */
    public static boolean sent(String threadId, String runId, Cursor cursor, List<JsonObject> runEvents) {
        RunMapping mapping = new RunMapping(threadId, runId);
        for (JsonObject stored : runEvents) {
            List<AguiEvent> mapped = mapping.map(stored);
            if (stored.getJsonNumber("seq").longValue() == cursor.seq()) {
                return cursor.index() == 0 ? !mapped.isEmpty() : cursor.index() < mapped.size();
            }
        }
        return false;
    }

    public String threadId() {
        return threadId;
    }

    public String runId() {
        return runId;
    }

    /** Where the client is; null for the whole run. */
    public Cursor cursor() {
        return cursor;
    }

    /** Whether the run's closing event was mapped: the stream ends after it. */
    public boolean ended() {
        return mapping.ended();
    }

    private List<AguiEvent> preamble() {
        List<AguiEvent> preamble = new ArrayList<>();
        preamble.add(new AguiEvent(null, Json.createObjectBuilder().add("type", "RUN_STARTED")
                .add("threadId", threadId).add("runId", runId).build()));
        preamble.add(new AguiEvent(null, Json.createObjectBuilder().add("type", "MESSAGES_SNAPSHOT")
                .add("messages", transcript.messages(message)).build()));
        preamble.addAll(transcript.reopening());
        return preamble;
    }
}
