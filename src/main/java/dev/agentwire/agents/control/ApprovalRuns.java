package dev.agentwire.agents.control;

import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.approvals.control.ArgumentSchema;
import dev.agentwire.approvals.control.CanonicalJson;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one way a person's answer to an interrupt becomes a run, for every transport (the
 * WebSocket's approve and reject, AG-UI's resume entries), as {@link ChatRuns} is for messages: the
 * edited arguments are checked against the tool's schema, a run slot is reserved, the answer and
 * the run that continues with it are stored together (the interrupt's conditional update decides
 * which answer wins), the transport acknowledges and subscribes, and only then does the run
 * start. A repeated answer is acknowledged with the first one's outcome and starts nothing,
 * unless the call was approved and the first answer's run ended before the call started: then it
 * starts the run that carries the call out, as recovery does for the runs of a stopped process.
 */
@ApplicationScoped
public class ApprovalRuns {

    /**
     * A person's answer. {@code editedArguments}: a full replacement of the call's arguments
     * (approve only), or null; {@code reason}: why not (reject only), or null; {@code runId}: the
     * id the continuing run gets (an AG-UI client chooses it), or null for one the server makes.
     * {@code field} is how the transport names the edited arguments in a problem.
     */
    public record Answer(String interruptId, Decision decision, JsonObject editedArguments, String reason, String runId,
                         String field) {
    }

    @Inject
    Approvals approvals;

    @Inject
    ServerTools tools;

    @Inject
    RunSlots slots;

    @Inject
    AgentRunner runner;

    /**
     * Stores the answer and starts the continuing run; {@code acknowledge} runs after it is stored
     * and before the run starts. Refusals are thrown as {@link GatewayException}, nothing stored.
     */
    public Approvals.Answered answer(UserContext user, Answer answer, Consumer<Approvals.Answered> acknowledge) {
        ToolApproval asked = StorageFailures.translate(() -> approvals.owned(user.owner(), answer.interruptId()))
                .orElseThrow(() -> new GatewayException(ErrorCode.INTERRUPT_NOT_FOUND));
        String arguments = answer.decision() == Decision.APPROVED ? finalArguments(asked, answer) : null;
        String reason = answer.decision() == Decision.REJECTED ? answer.reason() : null;
        RunSlots.Slot slot;
        try {
            slot = slots.reserve(user.owner());
        } catch (GatewayException refused) {
            // answered meanwhile (another tab's answer holds the slot): a repeat needs none
            boolean answeredBefore = asked.decision() != null || StorageFailures.translate(
                    () -> approvals.owned(user.owner(), answer.interruptId())).map(a -> a.decision() != null).orElse(false);
            if (!answeredBefore) {
                throw refused;
            }
            Approvals.Answered repeat = StorageFailures.translate(() -> approvals.answer(user.owner(), answer.interruptId(),
                    answer.decision(), arguments, reason, Ids.newId()));
            acknowledge.accept(repeat);
            return repeat;
        }
        try {
            String runId = answer.runId() == null ? Ids.newId() : answer.runId();
            Approvals.Answered answered = StorageFailures.translate(() -> approvals.answer(user.owner(), answer.interruptId(),
                    answer.decision(), arguments, reason, runId));
            if (answered.duplicate()) {
                // the first answer's run may have ended before the call started: this one carries it out
                Optional<ToolApproval> again = answered.approval().decision() == Decision.APPROVED
                        ? StorageFailures.translate(() -> approvals.continueAgain(answer.interruptId(), Ids.newId()))
                        : Optional.empty();
                answered = again.map(continuing -> new Approvals.Answered(continuing, true)).orElse(answered);
                acknowledge.accept(answered);
                if (again.isEmpty()) {
                    slot.release();
                    return answered;
                }
            } else {
                acknowledge.accept(answered);
            }
            ToolApproval won = answered.approval();
            runner.continueWith(slot, user.forRun(won.threadId(), won.answerRunId()), won);
            return answered;
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    /**
     * Starts a new run for an approved call whose run ended before the call started (recovery
     * calls this for the runs of a stopped process, once their closing events are stored), on the
     * owner's behalf with no connection. False when nothing started: the call is not waiting for a
     * run, another caller gave it one, or the owner has no run slot free (then a repeat of the
     * answer starts it later).
     */
    public boolean continueStopped(ToolApproval approved) {
        RunSlots.Slot slot;
        try {
            slot = slots.reserve(approved.owner());
        } catch (GatewayException full) {
            return false;
        }
        try {
            Optional<ToolApproval> again = StorageFailures.translate(() -> approvals.continueAgain(approved.id(), Ids.newId()));
            if (again.isEmpty()) {
                slot.release();
                return false;
            }
            ToolApproval continuing = again.get();
            UserContext owner = UserContext.forConnection(continuing.owner().issuer(), continuing.owner().userId());
            runner.continueWith(slot, owner.forRun(continuing.threadId(), continuing.answerRunId()), continuing);
            return true;
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    /** The canonical arguments to run with: the edit, checked against the tool's schema, or the call's own. */
    private String finalArguments(ToolApproval asked, Answer answer) {
        if (answer.editedArguments() == null) {
            return CanonicalJson.of(Json.createReader(new StringReader(asked.arguments())).readObject());
        }
        JsonObject schema = tools.named(asked.tool()).map(ServerTools.Tool::schema)
                .orElseThrow(() -> refusal(answer.field(), "the arguments of " + asked.tool() + " cannot be edited"));
        if (!asked.editable()) {
            throw refusal(answer.field(), "the arguments of this call cannot be edited");
        }
        List<ArgumentSchema.Problem> problems = ArgumentSchema.check(answer.editedArguments(), schema);
        if (!problems.isEmpty()) {
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, "The edited arguments do not fit the tool.", problems.stream()
                    .map(p -> new FieldProblem(answer.field() + p.field().substring("arguments".length()),
                            answer.field() + p.message().substring("arguments".length())))
                    .toList());
        }
        return CanonicalJson.of(answer.editedArguments());
    }

    private static GatewayException refusal(String field, String problem) {
        return new GatewayException(ErrorCode.VALIDATION_FAILED, "The edited arguments do not fit the tool.",
                List.of(new FieldProblem(field, field + ": " + problem)));
    }
}
