package dev.agentwire.streams.control;

import dev.agentwire.protocol.RunEventFactory;

/**
 * One event to store. {@code outcome} is set on a run's closing event: it ends the run's row in
 * the same transaction. {@code mustLand} appends are retried until stored.
 */
record EventAppend(String threadId, String runId, RunEventFactory factory, String outcome, boolean mustLand) {

    boolean closes() {
        return outcome != null;
    }
}
