package dev.agentwire.threads.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.entity.ChatThread;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;
import java.util.logging.Logger;

/**
 * Closes the runs the last process left open (stopped or crashed mid-run) with an agent_error
 * RUN_INTERRUPTED, so a client resuming the thread learns how each run ended. Assumes a single
 * agentwire node per database: another node's runs in flight would look unfinished too.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrations")
public class RunRecovery {

    private static final Logger LOG = Logger.getLogger(RunRecovery.class.getName());

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    @Inject
    EventLog log;

    @Inject
    ThreadOrder order;

    @PostConstruct
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED) // each closing event commits on its own
    void closeUnfinishedRuns() {
        List<StoredEvent> unfinished = em.createNamedQuery(StoredEvent.UNFINISHED_RUNS, StoredEvent.class).getResultList();
        for (StoredEvent started : unfinished) {
            ChatThread thread = em.find(ChatThread.class, started.threadId());
            var run = new UserContext("agentwire-recovery", thread.ownerId(), "recovery", "recovery", started.threadId(), started.runId());
            ErrorCode code = ErrorCode.RUN_INTERRUPTED;
            synchronized (order.lockFor(run.threadId())) {
                log.append(run, (runId, threadId, seq, at) -> new ServerFrame.AgentError(runId, threadId, seq, at,
                        code.name(), code.message(), code.retryable(), Ids.newId()));
                log.runEnded(run.threadId());
            }
        }
        if (!unfinished.isEmpty()) {
            LOG.info(() -> "Closed " + unfinished.size() + " runs interrupted by the last stop");
        }
    }
}
