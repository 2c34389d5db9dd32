package dev.agentwire.streams.control;

import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.RunEventFactory;

/**
 * What a run sees of its thread's event stream: it appends its events and ends with one closing
 * event. Each event is numbered, stored and only then delivered, by the stream; the run does not
 * wait for that. When its events cannot be stored, the stream ends the run itself (agent_error
 * STORAGE_UNAVAILABLE) and the run's next append throws {@link StorageFailed}.
 */
public interface RunStream {

    /** Thrown into a run whose events can no longer be stored; the stream has ended it already. */
    final class StorageFailed extends RuntimeException {
        StorageFailed() {
            super("the run's events could not be stored", null, false, false);
        }
    }

    void append(RunEventFactory event);

    /** The run's closing event; nothing of the run is appended after it. */
    void end(RunEventFactory closing, RunOutcome outcome);
}
