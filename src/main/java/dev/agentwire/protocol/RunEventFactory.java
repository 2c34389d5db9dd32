package dev.agentwire.protocol;

import java.time.Instant;

/** Makes a run event once its place in the thread (seq) and its time are known. */
@FunctionalInterface
public interface RunEventFactory {
    ServerFrame.RunEvent create(String runId, String threadId, long seq, Instant timestamp);
}
