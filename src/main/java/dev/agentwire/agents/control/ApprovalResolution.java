package dev.agentwire.agents.control;

import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;

/**
 * What the run that continues after an answer does with it, before the agent goes on: reports
 * the answer, and runs an approved call only when it wins the interrupt's step to executing, so a
 * call runs at most once whatever runs, nodes or restarts meet it. A call whose execution started
 * before (a run that died in the middle of it) is not run again: its result says so. A run that
 * ends in the middle of its call records the call interrupted.
 */
@ApplicationScoped
public class ApprovalResolution {

    static final String DECLINED = "The person declined this call";
    static final String STARTED_BEFORE = "This call was started before and stopped in the middle; it is not run again."
            + " Check whether it took effect.";
    /** The result of a call whose run ended in the middle of it, its server still up. */
    static final String STOPPED_MIDWAY = "This call was interrupted: its run ended while it ran. It may or may not have"
            + " taken effect, and it is not run again; check whether it did before asking for it again.";
    /** The result of a call whose process stopped in the middle of it, as recovery records it. */
    static final String INTERRUPTED = "This call was interrupted: the server stopped while it ran. It may or may not have"
            + " taken effect, and it is not run again; check whether it did before asking for it again.";

    @Inject
    Approvals approvals;

    @Inject
    ServerTools tools;

    @Inject
    RunningRuns running;

    @Inject
    Conversations conversations;

    /** Reports the answer and carries it out; returns the call's result as the model and the person get it. */
    public String carryOut(UserContext run, ToolApproval answered, RunEvents events) {
        boolean approved = answered.decision() == Decision.APPROVED;
        JsonObject arguments = approved ? parse(answered.finalArguments()) : null;
        Boolean edited = approved ? !answered.finalArguments().equals(canonicalOf(answered.arguments())) : null;
        events.approvalResolved(answered.id(), answered.toolCallId(), answered.tool(), answered.decision().wire(),
                arguments, edited, approved ? null : answered.reason());
        if (!approved) {
            String declined = DECLINED + (answered.reason() == null || answered.reason().isBlank() ? "." : ": " + answered.reason());
            events.toolCompleted(answered.tool(), declined, true, answered.toolCallId());
            return declined;
        }
        if (!StorageFailures.translate(() -> approvals.startExecution(answered.id()))) {
            events.toolCompleted(answered.tool(), STARTED_BEFORE, true, answered.toolCallId());
            return STARTED_BEFORE;
        }
        try {
            events.toolExecuting(answered.tool(), ToolCalls.shown(arguments), answered.toolCallId());
            ServerTools.Result result = tools.run(run.owner(), answered.toolCallId(), answered.tool(), arguments);
            StorageFailures.translate(() -> {
                approvals.executed(answered.id(), result.output());
                return null;
            });
            events.toolCompleted(answered.tool(), result.output(), result.failed(), answered.toolCallId());
            return result.output();
        } catch (RuntimeException e) {
            endedMidway(run, answered, events);
            throw e;
        }
    }

    /**
     * The run ends in the middle of its call (cancelled, its events or result not storable, the
     * tool broken): the call is recorded interrupted, never run again, and its result says so to
     * the model and, when the run can still report, to the person. The run's own closing event
     * follows. A run stopped with its server is left to recovery, which does the same at the next
     * start. Best effort: the database may be what failed.
     */
    private void endedMidway(UserContext run, ToolApproval answered, RunEvents events) {
        if (running.isStopping()) {
            return;
        }
        try {
            if (!approvals.interrupted(answered.id(), STOPPED_MIDWAY)) {
                return; // its result was recorded: only telling it failed
            }
            conversations.toolResult(run.threadId(), run.owner(), STOPPED_MIDWAY, answered.toolCallId());
            events.toolCompleted(answered.tool(), STOPPED_MIDWAY, true, answered.toolCallId());
        } catch (RuntimeException notRecorded) {
            // what could be recorded is; the run ends with the failure that stopped it
        }
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    private static String canonicalOf(String json) {
        return dev.agentwire.approvals.control.CanonicalJson.of(parse(json));
    }
}
