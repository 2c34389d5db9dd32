package dev.agentwire.approvals.boundary;

import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.auth.boundary.Authenticated;
import dev.agentwire.auth.entity.TokenPrincipal;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;

/**
 * The caller's tool calls that wait for an answer, for a front end that opens on them: all of
 * them, or those of one of the caller's threads ({@code thread_id}; another user's thread is 404
 * THREAD_NOT_FOUND). Answers go over the WebSocket or AG-UI, not here.
 */
@RequestScoped
@Authenticated
@Path("approvals")
@Produces(MediaType.APPLICATION_JSON)
public class ApprovalsResource {

    /** A pending approval: the fields of its approval_requested event. */
    public record Pending(String interruptId, String threadId, String runId, String toolCallId, String tool,
                          JsonObject arguments, String fingerprint, String message, Instant createdAt, Instant expiresAt,
                          boolean editable) {
        static Pending of(ToolApproval approval) {
            return new Pending(approval.id(), approval.threadId(), approval.runId(), approval.toolCallId(), approval.tool(),
                    Json.createReader(new StringReader(approval.arguments())).readObject(), approval.fingerprint(),
                    approval.message(), approval.createdAt(), approval.expiresAt(), approval.editable());
        }
    }

    public record Items(List<Pending> items) {
    }

    @Inject
    Approvals approvals;

    @Inject
    Conversations conversations;

    @Context
    SecurityContext security;

    @GET
    public Items pending(@QueryParam("thread_id") @Size(max = 64) @Pattern(regexp = ClientFrame.ID_PATTERN) String threadId) {
        Owner owner = ((TokenPrincipal) security.getUserPrincipal()).owner();
        if (threadId == null) {
            return new Items(StorageFailures.translate(() -> approvals.pendingOf(owner)).stream().map(Pending::of).toList());
        }
        StorageFailures.translate(() -> conversations.owned(owner, threadId))
                .orElseThrow(() -> new GatewayException(ErrorCode.THREAD_NOT_FOUND));
        return new Items(StorageFailures.translate(() -> approvals.pendingOf(threadId)).stream().map(Pending::of).toList());
    }
}
