package dev.agentwire.streams.control;

import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame.RunEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Stores one batch of appends in one transaction and one JDBC batch, numbering each event with
 * its thread's next seq, and ending the runs whose closing event it holds in the same
 * transaction: all of the batch commits, or nothing of it. Alone on its database it keeps the
 * last seq of recent threads in memory; when other nodes write the same database
 * ({@code shared}) it reads each thread's last seq under a lock on the thread's row, taken in
 * thread id order, so two nodes appending to one thread get consecutive seqs and never the same
 * one. Used by the writer's thread only.
 */
final class GroupCommit {

    private static final Logger LOG = Logger.getLogger(GroupCommit.class.getName());

    static final String INSERT = "insert into run_event (thread_id, seq, run_id, type, payload, created_at) values (?, ?, ?, ?, ?, ?)";
    static final String END_RUN = "update agent_run set ended_at = ?, outcome = ? where id = ?";
    static final String LAST_SEQ = "select coalesce(max(seq), 0) from run_event where thread_id = ?";
    static final String LOCK_THREAD = "select id from chat_thread where id = ? for update";
    static final int CACHED_THREADS = 65_536;

    private final DataSource database;
    private final FrameCodec codec;
    private final boolean shared;
    private final Clock clock;
    private final Map<String, Long> lastSeqs = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CACHED_THREADS; // a thread not cached is read from the log again
        }
    };

    GroupCommit(DataSource database, FrameCodec codec, boolean shared, Clock clock) {
        this.database = database;
        this.codec = codec;
        this.shared = shared;
        this.clock = clock;
    }

    /** Stores the batch, in its order; when it throws, nothing of it is stored. */
    List<CommittedEvent> store(List<EventAppend> batch) throws SQLException {
        Map<String, Long> seqs = new HashMap<>();
        List<CommittedEvent> stored = new ArrayList<>(batch.size());
        try (Connection connection = database.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                 PreparedStatement endRun = connection.prepareStatement(END_RUN)) {
                if (shared) {
                    seqs.putAll(lockedLastSeqs(connection, batch));
                }
                boolean endsRuns = false;
                Instant now = clock.instant();
                for (EventAppend append : batch) {
                    long seq = seqs.containsKey(append.threadId()) ? seqs.get(append.threadId()) + 1
                            : lastSeq(connection, append.threadId()) + 1;
                    seqs.put(append.threadId(), seq);
                    RunEvent event = append.factory().create(append.runId(), append.threadId(), seq, now);
                    String json = codec.encode(event);
                    insert.setString(1, append.threadId());
                    insert.setLong(2, seq);
                    insert.setString(3, append.runId());
                    insert.setString(4, codec.typeOf(event));
                    insert.setString(5, json);
                    insert.setObject(6, now.atOffset(ZoneOffset.UTC));
                    insert.addBatch();
                    if (append.closes()) {
                        endRun.setObject(1, now.atOffset(ZoneOffset.UTC));
                        endRun.setString(2, append.outcome());
                        endRun.setString(3, append.runId());
                        endRun.addBatch();
                        endsRuns = true;
                    }
                    stored.add(new CommittedEvent(append.threadId(), append.runId(), seq, json, append.closes()));
                }
                insert.executeBatch();
                if (endsRuns) {
                    endRun.executeBatch();
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(connection);
                throw e;
            } finally {
                restore(connection, autoCommit);
            }
        }
        if (!shared) {
            lastSeqs.putAll(seqs);
        }
        return stored;
    }

    /** Whether anything of a failed batch landed is not known for sure: the thread's last seq is read again. */
    void forget(String threadId) {
        lastSeqs.remove(threadId);
    }

    /**
     * The last seq of each thread of the batch, read under a row lock that the other nodes' writers
     * wait for until this flush commits; locked in thread id order, so two writers cannot deadlock.
     */
    private static Map<String, Long> lockedLastSeqs(Connection connection, List<EventAppend> batch) throws SQLException {
        Map<String, Long> last = new HashMap<>();
        try (PreparedStatement lock = connection.prepareStatement(LOCK_THREAD)) {
            for (String threadId : batch.stream().map(EventAppend::threadId).distinct().sorted().toList()) {
                lock.setString(1, threadId);
                try (ResultSet locked = lock.executeQuery()) {
                    locked.next();
                }
                last.put(threadId, readLastSeq(connection, threadId));
            }
        }
        return last;
    }

    private long lastSeq(Connection connection, String threadId) throws SQLException {
        Long cached = lastSeqs.get(threadId);
        return cached != null ? cached : readLastSeq(connection, threadId);
    }

    private static long readLastSeq(Connection connection, String threadId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement(LAST_SEQ)) {
            query.setString(1, threadId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.log(Level.FINE, "rollback failed", e);
        }
    }

    private static void restore(Connection connection, boolean autoCommit) {
        try {
            connection.setAutoCommit(autoCommit);
        } catch (SQLException e) {
            LOG.log(Level.FINE, "could not restore auto-commit", e);
        }
    }
}
