package dev.agentwire.agents.control;

import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.RunStream;
import dev.agentwire.threads.control.Conversations;
import jakarta.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * What an agent reports while it runs. Each call appends one event to the thread's event stream,
 * which stores it and then sends it to the thread's subscribers. A cancelled run's next report
 * throws {@link RunCancelledException}; a run whose events can no longer be stored gets
 * {@link RunStream.StorageFailed}.
 */
public class RunEvents {

    /** Thrown into the agent when its run was cancelled. */
    public static class RunCancelledException extends RuntimeException {
        public RunCancelledException() {
            super("run cancelled", null, false, false);
        }
    }

    public static final String COMPLETED = "completed";
    public static final String CANCELLED = "cancelled";
    public static final String AWAITING_TOOLS = "awaiting_tools";
    public static final String AWAITING_APPROVAL = "awaiting_approval";

    /** Shared by a run's events and the wrappers made of them. */
    private record Run(String threadId, RunStream stream, Conversations conversations, BooleanSupplier cancelled,
                       Runnable onEnd, AtomicBoolean ended) {
    }

    private final Run run;

    /** {@code onEnd} runs once, just before the run's closing event is appended. */
    RunEvents(String threadId, RunStream stream, Conversations conversations, BooleanSupplier cancelled, Runnable onEnd) {
        this.run = new Run(threadId, stream, conversations, cancelled, onEnd, new AtomicBoolean());
    }

    /** The same run's events, for wrappers that add behaviour around them. */
    protected RunEvents(RunEvents events) {
        this.run = events.run;
    }

    /** Throws {@link RunCancelledException} when the run was cancelled; agents call it between steps. */
    public void checkCancelled() {
        if (run.cancelled().getAsBoolean()) {
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

    /** An approved call of a tool runs; {@code toolCallId} is the id its approval was asked with. */
    public void toolExecuting(String tool, Map<String, String> input, String toolCallId) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolExecuting(runId, threadId, seq, at, tool, input, toolCallId));
    }

    /** The result of an approved (or rejected) call. */
    public void toolCompleted(String tool, String output, boolean failed, String toolCallId) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCompleted(runId, threadId, seq, at, tool, output, failed, toolCallId));
    }

    /** A tool call waits for a person; the run ends with {@link #awaitingApproval} after it. */
    public void approvalRequested(String interruptId, String toolCallId, String tool, JsonObject arguments,
                                  String fingerprint, String message, Instant expiresAt, boolean editable) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ApprovalRequested(runId, threadId, seq, at, interruptId, toolCallId,
                tool, arguments, fingerprint, message, expiresAt, editable));
    }

    /** The person's answer, first in the run that continues with it. */
    public void approvalResolved(String interruptId, String toolCallId, String tool, String decision, JsonObject arguments,
                                 Boolean edited, String reason) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ApprovalResolved(runId, threadId, seq, at, interruptId, toolCallId,
                tool, decision, arguments, edited, reason));
    }

    /**
     * Ends the run waiting for a person's answer to its call: the turn (its text so far and
     * {@code toolCalls}, the JSON array with that call) is stored as the thread's assistant
     * message, so the run that continues gives the model the call its result answers.
     */
    public void awaitingApproval(String text, String toolCalls) {
        checkCancelled();
        if (run.ended().get()) {
            return;
        }
        run.conversations().toolCalls(run.threadId(), text, toolCalls);
        String shown = text.isEmpty() ? null : text;
        end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, shown, AWAITING_APPROVAL),
                RunOutcome.COMPLETED);
    }

    /** The model called a tool the client runs; the run ends with {@link #awaitingTools} after its calls. */
    public void toolCallRequested(String toolCallId, String tool, String arguments) {
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCallRequested(runId, threadId, seq, at, toolCallId, tool, arguments));
    }

    /**
     * Ends the run with the front-end tool calls it made: the turn (its text so far, which may be
     * empty, and {@code toolCalls}, the model's JSON array of the calls) is stored as the thread's
     * assistant message, so the next run sends the model the calls its result answers.
     */
    public void awaitingTools(String text, String toolCalls) {
        checkCancelled();
        if (run.ended().get()) {
            return;
        }
        run.conversations().toolCalls(run.threadId(), text, toolCalls);
        String shown = text.isEmpty() ? null : text;
        end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, shown, AWAITING_TOOLS),
                RunOutcome.COMPLETED);
    }

    /** The answer: stored as the thread's assistant message, then reported. */
    public void completed(String text) {
        checkCancelled();
        if (run.ended().get()) {
            return;
        }
        run.conversations().answer(run.threadId(), text); // before the run ends: should it fail, the run ends with agent_error
        end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, text, COMPLETED),
                RunOutcome.COMPLETED);
    }

    /** Ends a cancelled run; called by the runner, not by agents. */
    void cancelledEnd() {
        end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, null, CANCELLED),
                RunOutcome.CANCELLED);
    }

    /** Ends a failed run; called by the runner, not by agents. */
    void failedEnd(ErrorCode code, String message, String correlationId, RunOutcome outcome) {
        failedEnd(code, message, correlationId, null, outcome);
    }

    /** Ends a failed run whose backend named a wait ({@code retryAfterSeconds}, or null). */
    void failedEnd(ErrorCode code, String message, String correlationId, Long retryAfterSeconds, RunOutcome outcome) {
        end((runId, threadId, seq, at) -> new ServerFrame.AgentError(runId, threadId, seq, at,
                code.name(), message, code.retryable(), correlationId, retryAfterSeconds), outcome);
    }

    /** Leaves the run without a closing event: the server stops, and recovery appends it at the next start. */
    void abandon() {
        if (run.ended().compareAndSet(false, true)) {
            run.onEnd().run();
        }
    }

    /** Marks the run ended, once; a client that saw the closing event may start its next run at once. */
    private void end(RunEventFactory closing, RunOutcome outcome) {
        if (!run.ended().compareAndSet(false, true)) {
            return;
        }
        run.onEnd().run();
        run.stream().end(closing, outcome);
    }

    boolean isCancelled() {
        return run.cancelled().getAsBoolean();
    }

    boolean hasEnded() {
        return run.ended().get();
    }

    private void emit(RunEventFactory factory) {
        checkCancelled();
        if (run.ended().get()) {
            throw new RunCancelledException();
        }
        run.stream().append(factory);
    }
}
