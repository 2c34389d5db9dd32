package dev.agentwire.threads.control;

import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame.RunEvent;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The durable log of every agent event, numbered per thread. Events are stored before they are sent.
 *
 * <p>Appending is the hot path of every run, so it is one committed INSERT on a pooled connection,
 * outside JPA and JTA (which cost most of a message's CPU when each event was its own
 * transaction with a row lock). The seq is taken under the thread's order lock: the last seq of
 * a thread is kept here while its runs go, and read from the log again after a run of the thread
 * ends or an append fails. The primary key (thread_id, seq) still refuses a duplicate number.
 * An append that fails may still have stored its row (a lost commit acknowledgement): it is then
 * not sent live, but a resume or the REST log shows it. Reads use JPA.
 */
@ApplicationScoped
public class EventLog {

    static final String INSERT = "insert into run_event (thread_id, seq, run_id, type, payload, created_at) values (?, ?, ?, ?, ?, ?)";
    static final String LAST_SEQ = "select coalesce(max(seq), 0) from run_event where thread_id = ?";

    /** A stored event and its JSON, ready to send. */
    public record Appended(RunEvent event, String json) {
    }

    @Resource(lookup = SchemaMigrations.DATA_SOURCE)
    DataSource database;

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    @Inject
    FrameCodec codec;

    @Inject
    ThreadOrder order;

    @Resource
    TransactionSynchronizationRegistry transactions;

    private final Clock clock = Clock.systemUTC();
    /** Last stored seq per thread, while its runs go. Each entry is read and written under its thread's order lock. */
    private final Map<String, Long> lastSeqs = new ConcurrentHashMap<>();

    /** Numbers the event with its thread's next seq and stores it; call under the thread's order lock. */
    public Appended append(UserContext run, RunEventFactory factory) {
        String threadId = run.threadId();
        if (!Thread.holdsLock(order.lockFor(threadId))) {
            throw new IllegalStateException("events are appended under their thread's order lock");
        }
        if (transactions.getTransactionKey() != null) {
            throw new IllegalStateException("events are committed on their own, outside a transaction");
        }
        try (Connection connection = database.getConnection()) {
            Long last = lastSeqs.get(threadId);
            long seq = (last != null ? last : lastSeq(connection, threadId)) + 1;
            RunEvent event = factory.create(run.runId(), threadId, seq, clock.instant());
            String json = codec.encode(event);
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                insert.setString(1, threadId);
                insert.setLong(2, seq);
                insert.setString(3, run.runId());
                insert.setString(4, codec.typeOf(event));
                insert.setString(5, json);
                insert.setObject(6, event.timestamp().atOffset(ZoneOffset.UTC));
                insert.executeUpdate();
            }
            lastSeqs.put(threadId, seq);
            return new Appended(event, json);
        } catch (SQLException e) {
            lastSeqs.remove(threadId); // whether the insert landed is unknown: ask the log next time
            throw new PersistenceException("the event could not be stored", e);
        } catch (RuntimeException e) {
            lastSeqs.remove(threadId);
            throw e;
        }
    }

    /**
     * Forgets the thread's last seq, so the map holds only threads with runs going; call under the
     * thread's order lock when a run ends, however it ended. Another run of the thread reads it
     * from the log again.
     */
    public void runEnded(String threadId) {
        lastSeqs.remove(threadId);
    }

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

    /** The seq of each thread's latest event; threads without events are absent. */
    @Transactional
    public Map<String, Long> latestSeqs(Collection<String> threadIds) {
        if (threadIds.isEmpty()) {
            return Map.of();
        }
        return em.createNamedQuery(StoredEvent.LATEST_SEQS, Object[].class).setParameter("threads", threadIds)
                .getResultStream().collect(Collectors.toMap(row -> (String) row[0], row -> ((Number) row[1]).longValue()));
    }

    private static long lastSeq(Connection connection, String threadId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(LAST_SEQ)) {
            query.setString(1, threadId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
