package dev.agentwire.threads.control;

import dev.agentwire.threads.entity.AgentRun;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads of the durable log of every agent event, numbered per thread. Events are written by the
 * event stream's writer only (dev.agentwire.streams), stored before they are sent.
 */
@ApplicationScoped
public class EventLog {

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    /** Up to {@code limit} events of the thread with seq greater than {@code afterSeq}, in order. */
    @Transactional
    public List<StoredEvent> after(String threadId, long afterSeq, int limit) {
        return em.createNamedQuery(StoredEvent.AFTER, StoredEvent.class)
                .setParameter("thread", threadId)
                .setParameter("after", afterSeq)
                .setMaxResults(limit)
                .getResultList();
    }

    /** The seq of the thread's latest event, 0 when it has none. */
    @Transactional
    public long latestSeq(String threadId) {
        Number latest = em.createNamedQuery(StoredEvent.LATEST_SEQ, Number.class).setParameter("thread", threadId)
                .getSingleResult();
        return latest == null ? 0 : latest.longValue();
    }

    /** The seq of the run's first event, 0 when it has none stored yet. */
    @Transactional
    public long firstSeqOfRun(String threadId, String runId) {
        Number first = em.createNamedQuery(StoredEvent.FIRST_OF_RUN, Number.class).setParameter("thread", threadId)
                .setParameter("run", runId).getSingleResult();
        return first == null ? 0 : first.longValue();
    }

    /** The seq of each thread's latest event; threads without events are absent. */
    @Transactional
    public Map<String, Long> latestSeqs(Collection<String> threadIds) {
        if (threadIds.isEmpty()) {
            return Map.of();
        }
        return em.createNamedQuery(StoredEvent.LATEST_SEQS, Object[].class).setParameter("threads", threadIds)
                .getResultStream().collect(Collectors.toMap(row -> (String) row[0], row -> ((Number) row[1]).longValue()));
    }

    /** Runs that have not ended: their rows have no ended_at. */
    @Transactional
    public List<AgentRun> unfinishedRuns() {
        return em.createNamedQuery(AgentRun.UNFINISHED, AgentRun.class).getResultList();
    }

    /** The runs of one node that have not ended. */
    @Transactional
    public List<AgentRun> unfinishedRuns(String nodeId) {
        return em.createNamedQuery(AgentRun.UNFINISHED_ON_NODE, AgentRun.class).setParameter("node", nodeId).getResultList();
    }
}
