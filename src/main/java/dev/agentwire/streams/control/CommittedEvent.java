package dev.agentwire.streams.control;

/** An event as it committed, numbered and encoded, ready to send. */
record CommittedEvent(String threadId, String runId, long seq, String json, boolean closes) {
}
