package dev.agentwire.approvals.control;

import dev.agentwire.approvals.entity.ApprovalState;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.cluster.control.ClusterNode;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.threads.entity.AgentRun;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The durable interrupts, and the one owner of their states: every step (answered, execution
 * started, executed or interrupted, a new run to carry an answer out) is a conditional update
 * that at most one caller wins, on any node, so an interrupt has one answer, at most one run
 * carries it out at a time, and its call runs at most once. Reads run in a transaction too: they
 * are called from run threads, where no request provides one.
 */
@ApplicationScoped
public class Approvals {

    /** How many pending interrupts a list shows. */
    static final int MAX_LISTED = 100;

    /** What an answer did: the interrupt as answered, and whether this answer repeated the first. */
    public record Answered(ToolApproval approval, boolean duplicate) {
    }

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    @Inject
    ClusterNode node;

    private final Clock clock = Clock.systemUTC();

    /** Stores a new pending interrupt. */
    @Transactional
    public ToolApproval ask(ToolApproval pending) {
        em.persist(pending);
        return pending;
    }

    /** The thread's interrupts still waiting for an answer (not expired). */
    @Transactional
    public List<ToolApproval> pendingOf(String threadId) {
        return em.createNamedQuery(ToolApproval.PENDING_OF_THREAD, ToolApproval.class)
                .setParameter("thread", threadId).setParameter("now", clock.instant().atOffset(java.time.ZoneOffset.UTC))
                .setMaxResults(MAX_LISTED).getResultList();
    }

    /** The owner's interrupts still waiting for an answer, oldest first. */
    @Transactional
    public List<ToolApproval> pendingOf(Owner owner) {
        return em.createNamedQuery(ToolApproval.PENDING_OF_OWNER, ToolApproval.class)
                .setParameter("issuer", owner.issuer()).setParameter("owner", owner.userId())
                .setParameter("now", clock.instant().atOffset(java.time.ZoneOffset.UTC))
                .setMaxResults(MAX_LISTED).getResultList();
    }

    /** The owner's interrupt, answered or not; another owner's is indistinguishable from none. */
    @Transactional
    public Optional<ToolApproval> owned(Owner owner, String interruptId) {
        return Optional.ofNullable(em.find(ToolApproval.class, interruptId)).filter(a -> a.isOwnedBy(owner));
    }

    /** The interrupt whose answer run {@code runId} continues with; empty for other runs. */
    @Transactional
    public Optional<ToolApproval> answeredBy(String runId) {
        return em.createNamedQuery(ToolApproval.ANSWERED_BY_RUN, ToolApproval.class).setParameter("run", runId)
                .getResultStream().findFirst();
    }

    /**
     * Answers the owner's interrupt, and stores the run that continues the thread with it
     * ({@code runId}), in one transaction: the first answer wins by a conditional update of the
     * row. An answer that repeats the first (same decision, same arguments) returns the first one,
     * marked duplicate, and stores nothing. Refusals: INTERRUPT_NOT_FOUND (none, or another
     * owner's), INTERRUPT_EXPIRED, INTERRUPT_ANSWERED (answered otherwise).
     *
     * @param arguments the arguments to run with when approved (canonical JSON), null when rejected
     */
    @Transactional
    public Answered answer(Owner owner, String interruptId, Decision decision, String arguments, String reason, String runId) {
        // the row lock makes concurrent answers to one interrupt wait for each other, so a later one
        // reads the answer that won (on H2 as on PostgreSQL); the conditional update stays the arbiter
        ToolApproval found = Optional.ofNullable(em.find(ToolApproval.class, interruptId, LockModeType.PESSIMISTIC_WRITE))
                .filter(a -> a.isOwnedBy(owner))
                .orElseThrow(() -> new GatewayException(ErrorCode.INTERRUPT_NOT_FOUND));
        Instant now = clock.instant();
        if (found.decision() == null) {
            if (!now.isBefore(found.expiresAt())) {
                throw new GatewayException(ErrorCode.INTERRUPT_EXPIRED);
            }
            int won = em.createNamedQuery(ToolApproval.RESOLVE)
                    .setParameter("decision", decision.wire()).setParameter("arguments", arguments)
                    .setParameter("reason", reason).setParameter("run", runId)
                    .setParameter("now", now.atOffset(java.time.ZoneOffset.UTC)).setParameter("id", interruptId)
                    .executeUpdate();
            if (won == 1) {
                em.persist(new AgentRun(runId, found.threadId(), null, now, node.nodeId()));
                return new Answered(reread(interruptId), false);
            }
            found = reread(interruptId); // another answer won meanwhile, or it expired this instant
            if (found.decision() == null) {
                throw new GatewayException(ErrorCode.INTERRUPT_EXPIRED);
            }
        }
        if (found.decision() == decision && java.util.Objects.equals(found.finalArguments(), arguments)) {
            return new Answered(found, true);
        }
        throw new GatewayException(ErrorCode.INTERRUPT_ANSWERED, "This interrupt was " + found.decision().wire()
                + " before; that answer stands and nothing runs again.");
    }

    /** Records that the approved call starts; false when it was started before (or is not approved): do not run it. */
    @Transactional
    public boolean startExecution(String interruptId) {
        return em.createNamedQuery(ToolApproval.START_EXECUTION).setParameter("id", interruptId).executeUpdate() == 1;
    }

    /** Records the started call's result. */
    @Transactional
    public void executed(String interruptId, String result) {
        em.createNamedQuery(ToolApproval.EXECUTED).setParameter("id", interruptId)
                .setParameter("result", result.length() > 16_000 ? result.substring(0, 16_000) : result).executeUpdate();
    }

    /**
     * Records that the started call was stopped in the middle (its run ended, or its process
     * stopped): it may or may not have taken effect, and never runs again. False when it was not
     * executing (its result was recorded, or another node's recovery recorded it first): then
     * nothing is to be told.
     */
    @Transactional
    public boolean interrupted(String interruptId, String result) {
        return em.createNamedQuery(ToolApproval.INTERRUPT).setParameter("id", interruptId).setParameter("result", result)
                .executeUpdate() == 1;
    }

    /**
     * Gives an approved call whose execution never started, because the run that was to carry it
     * out ended first (a crash, a full server, a storage failure), a new run to carry it out:
     * {@code runId}, stored with the interrupt in one transaction. Empty, and nothing stored, when
     * the call is not approved, has started, or its run has not ended (it still carries it out);
     * of two callers at once, one wins, by the conditional update on the ended run's id.
     */
    @Transactional
    public Optional<ToolApproval> continueAgain(String interruptId, String runId) {
        ToolApproval found = em.find(ToolApproval.class, interruptId, LockModeType.PESSIMISTIC_WRITE);
        if (found == null || found.state() != ApprovalState.RESOLVED || found.decision() != Decision.APPROVED) {
            return Optional.empty();
        }
        AgentRun previous = em.find(AgentRun.class, found.answerRunId());
        if (previous != null) {
            em.refresh(previous); // its end is stored by the event log, not through this context: read it from the database
        }
        if (previous != null && !previous.hasEnded()) {
            return Optional.empty();
        }
        int won = em.createNamedQuery(ToolApproval.CONTINUE_AGAIN).setParameter("run", runId).setParameter("id", interruptId)
                .setParameter("ended", found.answerRunId()).executeUpdate();
        if (won != 1) {
            return Optional.empty();
        }
        em.persist(new AgentRun(runId, found.threadId(), null, clock.instant(), node.nodeId()));
        return Optional.of(reread(interruptId));
    }

    private ToolApproval reread(String interruptId) {
        em.flush();
        em.clear();
        return em.find(ToolApproval.class, interruptId);
    }
}
