package dev.agentwire.agents.control;

import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.ThreadOrder;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * What an agent reports while it runs. Each call stores one event in the thread's log, then
 * sends it to the user's connections that follow the thread. A cancelled run's next report
 * throws {@link RunCancelledException}.
 */
public class RunEvents {

    /** Thrown into the agent when its run was cancelled. */
    public static class RunCancelledException extends RuntimeException {
        RunCancelledException() {
            super("run cancelled", null, false, false);
        }
    }

    public static final String COMPLETED = "completed";
    public static final String CANCELLED = "cancelled";

    private final UserContext run;
    private final EventLog log;
    private final Conversations conversations;
    private final ConnectionHub hub;
    private final ThreadOrder order;
    private final BooleanSupplier cancelled;
    private final Runnable onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();

    /** {@code onEnd} runs once, just before the run's closing event is stored and sent. */
    RunEvents(UserContext run, EventLog log, Conversations conversations, ConnectionHub hub, ThreadOrder order,
              BooleanSupplier cancelled, Runnable onEnd) {
        if (!run.isRun()) {
            throw new IllegalArgumentException("events need a run context");
        }
        this.run = run;
        this.log = log;
        this.conversations = conversations;
        this.hub = hub;
        this.order = order;
        this.cancelled = cancelled;
        this.onEnd = onEnd;
    }

    /** The same run's events, for wrappers that add behaviour around them. */
    protected RunEvents(RunEvents events) {
        this(events.run, events.log, events.conversations, events.hub, events.order, events.cancelled, events.onEnd);
    }

    /** Throws {@link RunCancelledException} when the run was cancelled; agents call it between steps. */
    public void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new RunCancelledException();
        }
    }

    public void started(String agent) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentStarted(runId, threadId, seq, at, agent));
    }

    public void thinking(String text) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentThinking(runId, threadId, seq, at, text));
    }

    public void delta(String text) {
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentMessageDelta(runId, threadId, seq, at, text));
    }

    public void toolExecuting(String tool, Map<String, String> input) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolExecuting(runId, threadId, seq, at, tool, input));
    }

    public void toolCompleted(String tool, String output, boolean failed) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCompleted(runId, threadId, seq, at, tool, output, failed));
    }

    /** The answer: stored as the thread's assistant message, then reported. */
    public void completed(String text) {
        checkCancelled();
        if (ended.get()) {
            return;
        }
        conversations.answer(run.threadId(), text); // before the run ends: should it fail, the run ends with agent_error
        if (!end()) {
            return;
        }
        append((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, text, COMPLETED));
    }

    /** Ends a cancelled run; called by the runner, not by agents. */
    void cancelledEnd() {
        if (!end()) {
            return;
        }
        append((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, null, CANCELLED));
    }

    /** Ends a failed run; called by the runner, not by agents. */
    void failedEnd(ErrorCode code, String message, String correlationId) {
        if (!end()) {
            return;
        }
        append((runId, threadId, seq, at) -> new ServerFrame.AgentError(runId, threadId, seq, at,
                code.name(), message, code.retryable(), correlationId));
    }

    /** Marks the run ended, once; a client that saw the closing event may start its next run at once. */
    private boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        onEnd.run();
        return true;
    }

    private void emit(RunEventFactory factory) {
        checkCancelled();
        if (ended.get()) {
            throw new RunCancelledException();
        }
        append(factory);
    }

    private void append(RunEventFactory factory) {
        synchronized (order.lockFor(run.threadId())) {
            EventLog.Appended appended = log.append(run, factory);
            hub.deliver(run, appended.event().seq(), appended.json());
        }
    }
}
