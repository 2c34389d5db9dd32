package dev.agentwire.agents.control;

import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.protocol.ServerFrame.RunEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/** What an agent reports while it runs; each call numbers, stamps and delivers one event. */
public class RunEvents {

    @FunctionalInterface
    private interface EventFactory {
        RunEvent create(String runId, String threadId, long seq, Instant timestamp);
    }

    private final UserContext run;
    private final ThreadSequences sequences;
    private final ConnectionHub hub;
    private final Clock clock;

    RunEvents(UserContext run, ThreadSequences sequences, ConnectionHub hub, Clock clock) {
        if (!run.isRun()) {
            throw new IllegalArgumentException("events need a run context");
        }
        this.run = run;
        this.sequences = sequences;
        this.hub = hub;
        this.clock = clock;
    }

    public void started(String agent) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentStarted(runId, threadId, seq, at, agent));
    }

    public void thinking(String text) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentThinking(runId, threadId, seq, at, text));
    }

    public void toolExecuting(String tool, Map<String, String> input) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolExecuting(runId, threadId, seq, at, tool, input));
    }

    public void toolCompleted(String tool, String output, boolean failed) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCompleted(runId, threadId, seq, at, tool, output, failed));
    }

    public void completed(String text) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, text, "completed"));
    }

    public void failed(ErrorCode code, String correlationId) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentError(runId, threadId, seq, at,
                code.name(), code.message(), code.retryable(), correlationId));
    }

    private void emit(EventFactory factory) {
        sequences.next(run, seq -> hub.deliver(run, factory.create(run.runId(), run.threadId(), seq, clock.instant())));
    }
}
