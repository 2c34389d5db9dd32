package dev.agentwire.agents.control;

import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.approvals.entity.ApprovalState;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.cluster.control.ClusterNode;
import dev.agentwire.cluster.control.Peers;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.ThreadStreams;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.entity.AgentRun;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ends the runs the last process left open, stopped or crashed mid-run or between a message's
 * ack and its run's start, with agent_error RUN_INTERRUPTED, so every acknowledged message has
 * a run that ended and a client resuming the thread learns how. A single node ends every
 * unfinished run of its database; in cluster mode a node ends only the runs stored under its own
 * node id, so the runs of the other nodes, in flight, are never touched, and when the grid reports
 * a node gone, one survivor ends that node's runs the same way.
 *
 * <p>A run that was carrying out an approved call is told how far it got: a call stopped in the
 * middle of its execution is recorded interrupted ({@link Approvals#interrupted}, never run again)
 * and the run gets a failed tool_completed for it, also stored as the call's result for the
 * model, before its closing event; a call that had not started gets a new run that carries it out
 * once the stopped run's closing event is stored ({@link ApprovalRuns#continueStopped}).
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RunRecovery {

    private static final Logger LOG = Logger.getLogger(RunRecovery.class.getName());
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);
    static final String CONTINUED = "The server stopped before the approved call started; a new run carries it out.";

    @Inject
    EventLog log;

    @Inject
    ThreadStreams streams;

    @Inject
    ClusterNode node;

    @Inject
    Peers peers;

    @Inject
    Approvals approvals;

    @Inject
    ApprovalRuns approvalRuns;

    @Inject
    Conversations conversations;

    @Resource
    ManagedExecutorService executor;

    /** Outside a transaction: each step commits on its own, before the runs it starts read what it stored. */
    @PostConstruct
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    void endInterruptedRuns() {
        List<AgentRun> unfinished = peers.shareTheDatabase() ? log.unfinishedRuns(node.nodeId()) : log.unfinishedRuns();
        if (!unfinished.isEmpty()) {
            LOG.info(() -> "Ending " + unfinished.size() + " runs interrupted by the last stop");
            // before the first client can resume: it then sees how each run ended
            recover(unfinished);
        }
        // on a grid thread: the work goes to one of the application's
        peers.onNodeGone(gone -> executor.execute(() -> endRunsOf(gone)));
    }

    private void endRunsOf(String nodeId) {
        List<AgentRun> unfinished = log.unfinishedRuns(nodeId);
        LOG.info(() -> "Node " + nodeId + " left the grid; ending its " + unfinished.size() + " unfinished runs");
        recover(unfinished);
    }

    /** Ends the runs; once their closing events are stored, the approved calls that never started get their new runs. */
    private void recover(List<AgentRun> unfinished) {
        List<ToolApproval> notStarted = new ArrayList<>();
        for (AgentRun run : unfinished) {
            Optional<ToolApproval> carrying = carriedOutBy(run);
            carrying.filter(a -> a.state() == ApprovalState.EXECUTING).ifPresent(a -> interrupt(run, a));
            boolean continues = carrying.filter(a -> a.state() == ApprovalState.RESOLVED && a.decision() == Decision.APPROVED)
                    .map(notStarted::add).orElse(false);
            end(run, continues ? CONTINUED : ErrorCode.RUN_INTERRUPTED.message());
        }
        if (!streams.awaitStored(STORE_TIMEOUT)) {
            LOG.warning(() -> "The closing events of interrupted runs are not stored yet; they will be when the database takes them,"
                    + " and " + notStarted.size() + " approved calls that had not started wait for a repeat of their answers");
            return;
        }
        for (ToolApproval approved : notStarted) {
            try {
                if (!approvalRuns.continueStopped(approved)) {
                    LOG.warning(() -> "The approved call of interrupt " + approved.id()
                            + " got no new run (no run slot); a repeat of its answer starts one");
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "The approved call of interrupt " + approved.id() + " got no new run", e);
            }
        }
    }

    /** The interrupt whose answer the run was carrying out, if any; none when the database cannot say. */
    private Optional<ToolApproval> carriedOutBy(AgentRun run) {
        if (run.messageId() != null) {
            return Optional.empty();
        }
        try {
            return approvals.answeredBy(run.id());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not read the interrupt of run " + run.id(), e);
            return Optional.empty();
        }
    }

    /** The call stopped in the middle: recorded interrupted, told to the person (an event) and the model (the call's result). */
    private void interrupt(AgentRun run, ToolApproval executing) {
        String told = ApprovalResolution.INTERRUPTED;
        try {
            if (!approvals.interrupted(executing.id(), told)) {
                return; // another node's recovery told it
            }
            streams.appendAbandoned(run.threadId(), run.id(), (runId, threadId, seq, at) -> new ServerFrame.ToolCompleted(runId,
                    threadId, seq, at, executing.tool(), told, true, executing.toolCallId()));
            conversations.toolResult(run.threadId(), executing.owner(), told, executing.toolCallId());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "Could not record the interrupted call of interrupt " + executing.id(), e);
        }
    }

    private void end(AgentRun run, String message) {
        ErrorCode code = ErrorCode.RUN_INTERRUPTED;
        String correlationId = Ids.newId();
        streams.endAbandoned(run.threadId(), run.id(), (runId, threadId, seq, at) -> new ServerFrame.AgentError(runId,
                threadId, seq, at, code.name(), message, code.retryable(), correlationId), RunOutcome.INTERRUPTED);
    }
}
