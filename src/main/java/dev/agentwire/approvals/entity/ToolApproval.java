package dev.agentwire.approvals.entity;

import dev.agentwire.kernel.Owner;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * One interrupt: a tool call that waits for a person's answer, and what became of it. Its state
 * changes only by the conditional updates of {@code Approvals}, never by setting a field of a
 * loaded row, so the database decides every race.
 */
@Entity
@Table(name = "tool_approval")
@NamedQuery(name = ToolApproval.PENDING_OF_OWNER, query = "select a from ToolApproval a where a.ownerIssuer = :issuer"
        + " and a.ownerId = :owner and a.state = 'pending' and a.expiresAt > :now order by a.createdAt")
@NamedQuery(name = ToolApproval.PENDING_OF_THREAD, query = "select a from ToolApproval a where a.threadId = :thread"
        + " and a.state = 'pending' and a.expiresAt > :now order by a.createdAt")
@NamedQuery(name = ToolApproval.ANSWERED_BY_RUN, query = "select a from ToolApproval a where a.answerRunId = :run")
@NamedQuery(name = ToolApproval.RESOLVE, query = "update ToolApproval a set a.state = 'resolved', a.decision = :decision,"
        + " a.finalArguments = :arguments, a.reason = :reason, a.answerRunId = :run, a.answeredAt = :now"
        + " where a.id = :id and a.state = 'pending' and a.expiresAt > :now")
@NamedQuery(name = ToolApproval.START_EXECUTION, query = "update ToolApproval a set a.state = 'executing'"
        + " where a.id = :id and a.state = 'resolved' and a.decision = 'approved'")
@NamedQuery(name = ToolApproval.EXECUTED, query = "update ToolApproval a set a.state = 'executed', a.result = :result"
        + " where a.id = :id and a.state = 'executing'")
@NamedQuery(name = ToolApproval.INTERRUPT, query = "update ToolApproval a set a.state = 'interrupted', a.result = :result"
        + " where a.id = :id and a.state = 'executing'")
@NamedQuery(name = ToolApproval.CONTINUE_AGAIN, query = "update ToolApproval a set a.answerRunId = :run"
        + " where a.id = :id and a.state = 'resolved' and a.decision = 'approved' and a.answerRunId = :ended")
public class ToolApproval {

    public static final String PENDING_OF_OWNER = "ToolApproval.pendingOfOwner";
    public static final String PENDING_OF_THREAD = "ToolApproval.pendingOfThread";
    public static final String ANSWERED_BY_RUN = "ToolApproval.answeredByRun";
    public static final String RESOLVE = "ToolApproval.resolve";
    public static final String START_EXECUTION = "ToolApproval.startExecution";
    public static final String EXECUTED = "ToolApproval.executed";
    public static final String INTERRUPT = "ToolApproval.interrupt";
    public static final String CONTINUE_AGAIN = "ToolApproval.continueAgain";

    @Id
    private String id;

    @Column(name = "thread_id", nullable = false)
    private String threadId;

    /** The run that paused for it. */
    @Column(name = "run_id", nullable = false)
    private String runId;

    @Column(name = "owner_issuer", nullable = false)
    private String ownerIssuer;

    @Column(name = "owner_id", nullable = false)
    private String ownerId;

    @Column(name = "tool_call_id", nullable = false)
    private String toolCallId;

    @Column(nullable = false)
    private String tool;

    /** The arguments the call was made with, as JSON text. */
    @Column(nullable = false)
    private String arguments;

    @Column(nullable = false)
    private String fingerprint;

    @Column(nullable = false)
    private String message;

    @Column(nullable = false)
    private boolean editable;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    @Column(name = "expires_at", nullable = false)
    private OffsetDateTime expiresAt;

    @Column(nullable = false)
    private String state;

    private String decision;

    /** The arguments that run when approved: the person's edit, or the call's own. */
    @Column(name = "final_arguments")
    private String finalArguments;

    private String reason;

    /** The run that continues the thread with the answer. */
    @Column(name = "answer_run_id")
    private String answerRunId;

    @Column(name = "answered_at")
    private OffsetDateTime answeredAt;

    private String result;

    protected ToolApproval() {
    }

    /** A new interrupt, pending. */
    public ToolApproval(String id, String threadId, String runId, Owner owner, String toolCallId, String tool,
                        String arguments, String fingerprint, String message, boolean editable, Instant createdAt,
                        Instant expiresAt) {
        this.id = id;
        this.threadId = threadId;
        this.runId = runId;
        this.ownerIssuer = owner.issuer();
        this.ownerId = owner.userId();
        this.toolCallId = toolCallId;
        this.tool = tool;
        this.arguments = arguments;
        this.fingerprint = fingerprint;
        this.message = message;
        this.editable = editable;
        this.createdAt = createdAt.atOffset(ZoneOffset.UTC);
        this.expiresAt = expiresAt.atOffset(ZoneOffset.UTC);
        this.state = ApprovalState.PENDING.stored();
    }

    public String id() {
        return id;
    }

    public String threadId() {
        return threadId;
    }

    public String runId() {
        return runId;
    }

    public boolean isOwnedBy(Owner owner) {
        return ownerIssuer.equals(owner.issuer()) && ownerId.equals(owner.userId());
    }

    public Owner owner() {
        return new Owner(ownerIssuer, ownerId);
    }

    public String toolCallId() {
        return toolCallId;
    }

    public String tool() {
        return tool;
    }

    public String arguments() {
        return arguments;
    }

    public String fingerprint() {
        return fingerprint;
    }

    public String message() {
        return message;
    }

    public boolean editable() {
        return editable;
    }

    public Instant createdAt() {
        return createdAt.toInstant();
    }

    public Instant expiresAt() {
        return expiresAt.toInstant();
    }

    public ApprovalState state() {
        return ApprovalState.ofStored(state);
    }

    /** The answer; null while pending. */
    public Decision decision() {
        return decision == null ? null : Decision.ofWire(decision);
    }

    public String finalArguments() {
        return finalArguments;
    }

    public String reason() {
        return reason;
    }

    public String answerRunId() {
        return answerRunId;
    }

    public String result() {
        return result;
    }
}
