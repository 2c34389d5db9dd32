package dev.agentwire.agents.control;

import dev.agentwire.approvals.control.ApprovalPolicy;
import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.approvals.control.CanonicalJson;
import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How an agent calls one of agentwire's own tools: at once, or, when the policy says the call
 * waits for a person, by storing the interrupt, reporting approval_requested and ending the run
 * with awaiting_approval. Then nothing is held: the run that continues after the answer
 * ({@link AgentRunner#continueWith}) runs the call, once.
 */
@ApplicationScoped
public class ToolCalls {

    /** What a call came to: the tool's result, or the run ended waiting for approval (result null). */
    public record Outcome(ServerTools.Result result) {
        public boolean paused() {
            return result == null;
        }
    }

    @Inject
    ServerTools tools;

    @Inject
    ApprovalPolicy policy;

    @Inject
    Approvals approvals;

    /** Whether a call of {@code tool} waits for a person (one of agentwire's tools, by the policy). */
    public boolean needsApproval(String tool) {
        return tool != null && tools.named(tool).map(t -> policy.needsApproval(tool, t.approvalByDefault())).orElse(false);
    }

    /**
     * Calls {@code tool} with {@code arguments} for the run. {@code textSoFar} is what the agent
     * wrote in this turn before the call: stored with the call when the run pauses.
     */
    public Outcome call(UserContext run, RunEvents events, String toolCallId, String tool, JsonObject arguments, String textSoFar) {
        boolean known = tools.named(tool).isPresent();
        if (!needsApproval(tool) || run == null) {
            events.toolExecuting(tool, shown(arguments));
            ServerTools.Result result = known ? tools.run(run == null ? null : run.owner(), toolCallId, tool, arguments)
                    : new ServerTools.Result("unknown tool " + tool, true);
            events.toolCompleted(tool, result.output(), result.failed());
            return new Outcome(result);
        }
        events.checkCancelled(); // a cancelled run asks nothing: a stored interrupt would hold its thread until it expires
        Instant now = Instant.now();
        String message = ServerTools.describe(tool, arguments);
        var pending = new ToolApproval(Ids.newId(), run.threadId(), run.runId(), run.owner(), toolCallId, tool,
                arguments.toString(), CanonicalJson.fingerprint(arguments), message, true, now, now.plus(policy.expiry()));
        StorageFailures.translate(() -> approvals.ask(pending));
        events.approvalRequested(pending.id(), toolCallId, tool, arguments, pending.fingerprint(), message,
                pending.expiresAt(), pending.editable());
        String calls = Json.createArrayBuilder().add(Json.createObjectBuilder().add("id", toolCallId).add("type", "function")
                .add("function", Json.createObjectBuilder().add("name", tool).add("arguments", arguments.toString()))).build().toString();
        events.awaitingApproval(textSoFar, calls);
        return new Outcome(null);
    }

    /** The arguments as tool_executing shows them: strings as they are, other values as JSON. */
    static Map<String, String> shown(JsonObject arguments) {
        Map<String, String> shown = new LinkedHashMap<>();
        arguments.forEach((name, value) -> shown.put(name, value instanceof JsonString s ? s.getString() : value.toString()));
        return shown;
    }

    /** A new id for a call the agent makes itself (the offline agent; a model that gave none). */
    static String newCallId() {
        return "call-" + Ids.newId();
    }
}
