package dev.agentwire.agui.control;

import dev.agentwire.agents.control.ApprovalRuns;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import dev.agentwire.protocol.StorableTextValidator;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;

/**
 * AG-UI's resume entries as a person's answer to an interrupt (docs/agui.md, "Approvals"):
 * {@code cancelled} rejects; {@code resolved} approves, unless its payload says
 * {@code approved: false}; {@code payload.editedArgs} replaces the arguments, {@code payload.reason}
 * is the rejection's reason. agentwire has at most one interrupt open per thread, so one entry.
 */
final class AguiResume {

    static final int MAX_REASON = 2000;

    private AguiResume() {
    }

    /** The answer of the request's resume entries, for the run {@code runId}; empty without entries. */
    static Optional<ApprovalRuns.Answer> of(List<RunAgentInput.ResumeEntry> entries, String runId) {
        if (entries == null || entries.isEmpty()) {
            return Optional.empty();
        }
        if (entries.size() > 1) {
            throw invalid("resume", "resume must hold one entry: a thread has at most one open interrupt");
        }
        RunAgentInput.ResumeEntry entry = entries.get(0);
        JsonObject payload = entry.payload() instanceof JsonObject object ? object : JsonValue.EMPTY_JSON_OBJECT;
        String reason = null;
        if (payload.containsKey("reason")) {
            if (!(payload.get("reason") instanceof JsonString text) || text.getString().length() > MAX_REASON) {
                throw invalid("resume[0].payload.reason", "resume[0].payload.reason must be a string of at most " + MAX_REASON
                        + " characters");
            }
            reason = text.getString();
            String found = StorableTextValidator.problemIn(reason).orElse(null);
            if (found != null) {
                throw invalid("resume[0].payload.reason", "resume[0].payload.reason " + found);
            }
        }
        boolean approved = "resolved".equals(entry.status()) && payload.get("approved") != JsonValue.FALSE;
        if (!approved) {
            return Optional.of(new ApprovalRuns.Answer(entry.interruptId(), Decision.REJECTED, null, reason, runId,
                    "resume[0].payload.editedArgs"));
        }
        JsonObject edited = null;
        if (payload.containsKey("editedArgs")) {
            if (!(payload.get("editedArgs") instanceof JsonObject object)) {
                throw invalid("resume[0].payload.editedArgs", "resume[0].payload.editedArgs must be a JSON object");
            }
            edited = object;
        }
        return Optional.of(new ApprovalRuns.Answer(entry.interruptId(), Decision.APPROVED, edited, null, runId,
                "resume[0].payload.editedArgs"));
    }

    private static GatewayException invalid(String field, String problem) {
        return new GatewayException(ErrorCode.VALIDATION_FAILED, "The request has invalid fields.", List.of(new FieldProblem(field, problem)));
    }
}
