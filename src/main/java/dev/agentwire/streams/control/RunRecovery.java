package dev.agentwire.streams.control;

import dev.agentwire.cluster.control.ClusterNode;
import dev.agentwire.cluster.control.Peers;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
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
import java.util.List;
import java.util.logging.Logger;

/**
 * Ends the runs the last process left open, stopped or crashed mid-run or between a message's
 * ack and its run's start, with agent_error RUN_INTERRUPTED, so every acknowledged message has
 * a run that ended and a client resuming the thread learns how. A single node ends every
 * unfinished run of its database; in cluster mode a node ends only the runs stored under its own
 * node id, so the runs of the other nodes, in flight, are never touched, and when the grid reports
 * a node gone, one survivor ends that node's runs the same way.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class RunRecovery {

    private static final Logger LOG = Logger.getLogger(RunRecovery.class.getName());
    static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);

    @Inject
    EventLog log;

    @Inject
    ThreadStreams streams;

    @Inject
    ClusterNode node;

    @Inject
    Peers peers;

    @Resource
    ManagedExecutorService executor;

    @PostConstruct
    void endInterruptedRuns() {
        List<AgentRun> unfinished = peers.shareTheDatabase() ? log.unfinishedRuns(node.nodeId()) : log.unfinishedRuns();
        end(unfinished);
        if (!unfinished.isEmpty()) {
            LOG.info(() -> "Ending " + unfinished.size() + " runs interrupted by the last stop");
            // before the first client can resume: it then sees how each run ended
            if (!streams.awaitStored(STORE_TIMEOUT)) {
                LOG.warning(() -> "The closing events of interrupted runs are not stored yet; they will be when the database takes them");
            }
        }
        // on a grid thread: the work goes to one of the application's
        peers.onNodeGone(gone -> executor.execute(() -> endRunsOf(gone)));
    }

    private void endRunsOf(String nodeId) {
        List<AgentRun> unfinished = log.unfinishedRuns(nodeId);
        LOG.info(() -> "Node " + nodeId + " left the grid; ending its " + unfinished.size() + " unfinished runs");
        end(unfinished);
    }

    private void end(List<AgentRun> unfinished) {
        ErrorCode code = ErrorCode.RUN_INTERRUPTED;
        for (AgentRun run : unfinished) {
            String correlationId = Ids.newId();
            streams.endAbandoned(run.threadId(), run.id(), (runId, threadId, seq, at) -> new ServerFrame.AgentError(runId,
                    threadId, seq, at, code.name(), code.message(), code.retryable(), correlationId), RunOutcome.INTERRUPTED);
        }
    }
}
