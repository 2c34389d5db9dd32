package dev.agentwire.agents.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.RunStream;
import dev.agentwire.threads.control.Conversations;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * What an agent reports while it runs. Each call appends one event to the thread's event stream,
 * which stores it and then sends it to the thread's subscribers. A cancelled run's next report
 * throws {@link RunCancelledException}; a run whose events can no longer be stored gets
 * {@link RunStream.StorageFailed}.
 *
 * <p>This is where an agent's output enters the stream, and it is input like a user's: every text
 * of every event is made storable here ({@link AgentOutput}), so what is sent live is what is
 * stored and replayed. Output past a cap (an event's, or the answer's over the whole run) is not
 * sent: the run ends with agent_error AGENT_OUTPUT_TOO_LARGE and the report throws
 * {@link OutputRefused}.
 */
public class RunEvents {

    /** Thrown into the agent when its run was cancelled. */
    public static class RunCancelledException extends RuntimeException {
        public RunCancelledException() {
            this("run cancelled");
        }

        RunCancelledException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Thrown into the agent when its output passed a cap; the run has ended with agent_error
     * already. A kind of cancel, so the model call stops as for one and its circuit does not count it.
     */
    public static final class OutputRefused extends RunCancelledException {
        OutputRefused() {
            super("output refused");
        }
    }

    public static final String COMPLETED = "completed";
    public static final String CANCELLED = "cancelled";
    public static final String AWAITING_TOOLS = "awaiting_tools";
    public static final String AWAITING_APPROVAL = "awaiting_approval";

    /** Shared by a run's events and the wrappers made of them. */
    private record Run(String threadId, RunStream stream, Conversations conversations, AgentOutput output,
                       BooleanSupplier cancelled, Runnable onEnd, AtomicBoolean ended, AtomicLong answered,
                       AtomicReference<String> heldBack) {
    }

    private final Run run;

    /** {@code onEnd} runs once, just before the run's closing event is appended. */
    RunEvents(String threadId, RunStream stream, Conversations conversations, AgentOutput output, BooleanSupplier cancelled,
              Runnable onEnd) {
        this.run = new Run(threadId, stream, conversations, output, cancelled, onEnd, new AtomicBoolean(), new AtomicLong(),
                new AtomicReference<>(""));
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
        String name = AgentOutput.storable(agent);
        fitEvent("agent's name", name);
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentStarted(runId, threadId, seq, at, name));
    }

    public void thinking(String text) {
        String thought = AgentOutput.storable(text);
        fitEvent("agent's thinking", thought);
        emit((runId, threadId, seq, at) -> new ServerFrame.AgentThinking(runId, threadId, seq, at, thought));
    }

    /**
     * A piece of the answer; one too large for an event goes as several. It counts towards the
     * answer's cap. A piece that ends in the first half of a surrogate pair (a model server may
     * split a character between chunks) keeps that half back for the next piece, so the character
     * is not replaced; a half that nothing completes is replaced when the run ends.
     */
    public void delta(String text) {
        String joined = run.heldBack().getAndSet("") + text;
        if (!joined.isEmpty() && Character.isHighSurrogate(joined.charAt(joined.length() - 1))) {
            run.heldBack().set(joined.substring(joined.length() - 1));
            joined = joined.substring(0, joined.length() - 1);
        }
        if (!joined.isEmpty()) {
            sendDelta(joined);
        }
    }

    private void sendDelta(String text) {
        String piece = AgentOutput.storable(text);
        fitAnswer(run.answered().addAndGet(AgentOutput.storedLength(piece)));
        for (String part : run.output().pieces(piece)) {
            emit((runId, threadId, seq, at) -> new ServerFrame.AgentMessageDelta(runId, threadId, seq, at, part));
        }
    }

    public void toolExecuting(String tool, Map<String, String> input) {
        String name = AgentOutput.storable(tool);
        Map<String, String> values = AgentOutput.storable(input);
        List<String> fields = new ArrayList<>(List.of(name));
        values.forEach((key, value) -> fields.addAll(List.of(key, value)));
        fitEvent("tool's input", fields.toArray(String[]::new));
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolExecuting(runId, threadId, seq, at, name, values));
    }

    public void toolCompleted(String tool, String output, boolean failed) {
        String name = AgentOutput.storable(tool);
        String result = AgentOutput.storable(output);
        fitEvent("tool's result", name, result);
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCompleted(runId, threadId, seq, at, name, result, failed));
    }

    /** An approved call of a tool runs; {@code toolCallId} is the id its approval was asked with. */
    public void toolExecuting(String tool, Map<String, String> input, String toolCallId) {
        String name = AgentOutput.storable(tool);
        String id = AgentOutput.storable(toolCallId);
        Map<String, String> values = AgentOutput.storable(input);
        List<String> fields = new ArrayList<>(List.of(name, id));
        values.forEach((key, value) -> fields.addAll(List.of(key, value)));
        fitEvent("tool's input", fields.toArray(String[]::new));
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolExecuting(runId, threadId, seq, at, name, values, id));
    }

    /** The result of an approved (or rejected) call. */
    public void toolCompleted(String tool, String output, boolean failed, String toolCallId) {
        String name = AgentOutput.storable(tool);
        String result = AgentOutput.storable(output);
        String id = AgentOutput.storable(toolCallId);
        fitEvent("tool's result", name, result, id);
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCompleted(runId, threadId, seq, at, name, result, failed, id));
    }

    /** A tool call waits for a person; the run ends with {@link #awaitingApproval} after it. */
    public void approvalRequested(String interruptId, String toolCallId, String tool, JsonObject arguments,
                                  String fingerprint, String message, Instant expiresAt, boolean editable) {
        String id = AgentOutput.storable(toolCallId);
        String name = AgentOutput.storable(tool);
        JsonObject args = storableObject(arguments);
        String shown = AgentOutput.storable(message);
        fitEvent("approval request", id, name, args.toString(), shown);
        emit((runId, threadId, seq, at) -> new ServerFrame.ApprovalRequested(runId, threadId, seq, at, interruptId, id,
                name, args, fingerprint, shown, expiresAt, editable));
    }

    /** The person's answer, first in the run that continues with it. */
    public void approvalResolved(String interruptId, String toolCallId, String tool, String decision, JsonObject arguments,
                                 Boolean edited, String reason) {
        String id = AgentOutput.storable(toolCallId);
        String name = AgentOutput.storable(tool);
        JsonObject args = arguments == null ? null : storableObject(arguments);
        String why = reason == null ? null : AgentOutput.storable(reason);
        fitEvent("approval answer", id, name, args == null ? "" : args.toString(), why == null ? "" : why);
        emit((runId, threadId, seq, at) -> new ServerFrame.ApprovalResolved(runId, threadId, seq, at, interruptId, id,
                name, decision, args, edited, why));
    }

    /** A JSON object of the agent's with every string made storable (an escaped NUL included). */
    private static JsonObject storableObject(JsonObject object) {
        return Json.createReader(new StringReader(AgentOutput.storableJson(object.toString()))).readObject();
    }

    /**
     * Ends the run waiting for a person's answer to its call: the turn (its text so far and
     * {@code toolCalls}, the JSON array with that call) is stored as the thread's assistant
     * message, so the run that continues gives the model the call its result answers.
     */
    public void awaitingApproval(String text, String toolCalls) {
        endAwaiting(text, toolCalls, AWAITING_APPROVAL);
    }

    /** The model called a tool the client runs; the run ends with {@link #awaitingTools} after its calls. */
    public void toolCallRequested(String toolCallId, String tool, String arguments) {
        String id = AgentOutput.storable(toolCallId);
        String name = AgentOutput.storable(tool);
        String input = AgentOutput.storable(arguments);
        fitEvent("tool call", id, name, input);
        emit((runId, threadId, seq, at) -> new ServerFrame.ToolCallRequested(runId, threadId, seq, at, id, name, input));
    }

    /**
     * Ends the run with the front-end tool calls it made: the turn (its text so far, which may be
     * empty, and {@code toolCalls}, the model's JSON array of the calls) is stored as the thread's
     * assistant message, so the next run sends the model the calls its result answers.
     */
    public void awaitingTools(String text, String toolCalls) {
        endAwaiting(text, toolCalls, AWAITING_TOOLS);
    }

    /** Ends the run with the turn stored as the thread's assistant message: its text so far and its tool calls. */
    private void endAwaiting(String text, String toolCalls, String status) {
        checkCancelled();
        if (run.ended().get()) {
            return;
        }
        releaseHeldBack();
        String answer = AgentOutput.storable(text);
        String calls = AgentOutput.storableJson(toolCalls);
        fitAnswer(AgentOutput.storedLength(answer));
        fitEvent("tool calls", calls);
        run.conversations().toolCalls(run.threadId(), answer, calls);
        String shown = answer.isEmpty() ? null : answer;
        end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, shown, status),
                RunOutcome.COMPLETED);
    }

    /** The answer: stored as the thread's assistant message, then reported. */
    public void completed(String text) {
        checkCancelled();
        if (run.ended().get()) {
            return;
        }
        releaseHeldBack();
        String answer = AgentOutput.storable(text);
        fitAnswer(AgentOutput.storedLength(answer));
        run.conversations().answer(run.threadId(), answer); // before the run ends: should it fail, the run ends with agent_error
        end((runId, threadId, seq, at) -> new ServerFrame.AgentCompleted(runId, threadId, seq, at, answer, COMPLETED),
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

    /** Sends the half of a pair that the last delta kept back, replaced: no other half came. */
    private void releaseHeldBack() {
        String held = run.heldBack().getAndSet("");
        if (!held.isEmpty()) {
            sendDelta(held);
        }
    }

    /** Ends the run with AGENT_OUTPUT_TOO_LARGE unless the answer's stored length so far fits its cap. */
    private void fitAnswer(long answered) {
        if (answered > run.output().maxAnswer()) {
            refuse("The agent's answer passed the longest this server stores (" + run.output().maxAnswer()
                    + " characters); ask for a shorter one.");
        }
    }

    /** Ends the run with AGENT_OUTPUT_TOO_LARGE unless the event's text fits the per-event cap. */
    private void fitEvent(String what, String... fields) {
        if (!run.output().fitsEvent(fields)) {
            refuse("The " + what + " passed the largest event this server stores (" + run.output().maxEvent()
                    + " characters); ask for something smaller.");
        }
    }

    private void refuse(String message) {
        checkCancelled();
        failedEnd(ErrorCode.AGENT_OUTPUT_TOO_LARGE, message, Ids.newId(), RunOutcome.FAILED);
        throw new OutputRefused();
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
