package dev.agentwire.streams.control;

import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame.RunEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The one writer of the event log. Appends from every run go through one queue to one thread,
 * which stores them in batches: one transaction and one JDBC batch per flush, flushed when the
 * batch is full or the linger since its first event has passed. The writer numbers each event
 * with its thread's next seq as it stores it, so the order of a thread's events is the order in
 * which they were appended. On a single node it is the only writer of the database and keeps the
 * last seq of recent threads in memory; when other nodes write the same database
 * ({@link Settings#shared}) it reads each thread's last seq in the flush's transaction under a lock
 * on the thread's row, taken in thread id order, so two nodes appending to one thread get
 * consecutive seqs and never the same one.
 *
 * <p>Only what committed is handed on ({@link Listener#stored}), in seq order per thread. A flush
 * that fails rolls back entirely: its runs are failed ({@link Listener#failed}) and whatever else
 * they append is dropped, so a thread's log never has a gap. Appends marked {@code mustLand} (a
 * run's substitute closing event, recovery's closings) are retried with a growing delay until
 * they are stored; every run therefore ends in the log once the database is back.
 */
final class EventWriter {

    private static final Logger LOG = Logger.getLogger(EventWriter.class.getName());

    static final String INSERT = "insert into run_event (thread_id, seq, run_id, type, payload, created_at) values (?, ?, ?, ?, ?, ?)";
    static final String END_RUN = "update agent_run set ended_at = ?, outcome = ? where id = ?";
    static final String LAST_SEQ = "select coalesce(max(seq), 0) from run_event where thread_id = ?";
    static final String LOCK_THREAD = "select id from chat_thread where id = ? for update";
    static final int CACHED_THREADS = 65_536;
    static final Duration FIRST_RETRY = Duration.ofMillis(100);
    static final Duration LAST_RETRY = Duration.ofSeconds(5);

    /**
     * How the writer batches: at most {@code batchMax} events per flush, waiting at most
     * {@code linger} for more. {@code shared}: other nodes write the same database.
     */
    record Settings(int batchMax, Duration linger, int queueCapacity, Duration appendTimeout, boolean shared) {
        Settings {
            if (batchMax < 1) {
                throw new IllegalStateException("agentwire.events.batch-max must be at least 1, but is " + batchMax);
            }
            if (linger.isNegative() || linger.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalStateException("agentwire.events.linger-ms must be between 0 and 1000, but is " + linger.toMillis());
            }
            if (queueCapacity < batchMax) {
                throw new IllegalStateException("agentwire.events.queue-capacity must be at least agentwire.events.batch-max ("
                        + batchMax + "), but is " + queueCapacity);
            }
        }
    }

    /**
     * One event to store. {@code outcome} is set on a run's closing event: it ends the run's row in
     * the same transaction. {@code mustLand} appends are retried until stored.
     */
    record Append(String threadId, String runId, RunEventFactory factory, String outcome, boolean mustLand) {
        boolean closes() {
            return outcome != null;
        }
    }

    /** An event as it committed, ready to send. */
    record Stored(String threadId, String runId, long seq, String json, boolean closes) {
    }

    /** What the writer reports; called on its thread, so keep it short. */
    interface Listener {
        /** The events committed, in the order they were appended (seq order per thread). */
        void stored(List<Stored> events);

        /** These runs' events (run id to thread id) could not be stored; nothing of the failed flush remains. */
        void failed(Map<String, String> runThreads);

        /** A flush committed ({@code true}) or failed: what readiness shows. */
        void flushed(boolean committed, int events);
    }

    private final DataSource database;
    private final FrameCodec codec;
    private final Settings settings;
    private final Listener listener;
    private final Clock clock;
    private final BlockingQueue<Append> queue;
    private final Queue<Append> mustLand = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    // touched by the writer thread only
    private final Map<String, Long> lastSeqs = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > CACHED_THREADS; // a thread not cached is read from the log again
        }
    };
    /** Runs whose events could not be stored: anything they still append is dropped. */
    private final Set<String> failedRuns = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CACHED_THREADS;
        }
    });
    private Duration retryDelay = FIRST_RETRY;
    private long retryAtNanos;
    private volatile boolean stopping;
    private final AtomicLong appended = new AtomicLong();
    private volatile long done; // written by the writer thread only

    EventWriter(DataSource database, FrameCodec codec, Settings settings, Listener listener, ThreadFactory threads, Clock clock) {
        this.database = database;
        this.codec = codec;
        this.settings = settings;
        this.listener = listener;
        this.clock = clock;
        this.queue = new LinkedBlockingQueue<>(settings.queueCapacity());
        this.thread = threads.newThread(this::run);
        thread.setName("agentwire-event-writer");
    }

    void start() {
        thread.start();
    }

    /**
     * Queues an event; waits for room up to the append timeout. False when there was none (the
     * database is too slow for the load) or the writer stopped: the caller fails its run.
     */
    boolean append(Append append) {
        if (append.mustLand()) {
            appended.incrementAndGet();
            mustLand.add(append);
            return true;
        }
        if (stopping) {
            return false;
        }
        try {
            appended.incrementAndGet();
            if (queue.offer(append, settings.appendTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                return true;
            }
            appended.decrementAndGet();
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    int queued() {
        return queue.size() + mustLand.size();
    }

    /** Appends so far, and of those the ones done with: stored, dropped, or failed for good. */
    long appended() {
        return appended.get();
    }

    long done() {
        return done;
    }

    /** Stores what is queued, waiting at most {@code timeout}, then stops the thread. */
    void stop(Duration timeout) {
        stopping = true;
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }

    private void run() {
        List<Append> batch = new ArrayList<>(settings.batchMax());
        while (!stopping || !queue.isEmpty()) {
            try {
                collect(batch);
            } catch (InterruptedException e) {
                if (!stopping) {
                    continue;
                }
                queue.drainTo(batch, settings.batchMax() - batch.size());
            }
            if (!batch.isEmpty()) {
                int retried = flush(batch);
                done += batch.size() - retried;
                batch.clear();
            }
        }
    }

    /** The next batch: retries that are due, then the queue's events, lingering for more. */
    private void collect(List<Append> batch) throws InterruptedException {
        if (!mustLand.isEmpty() && System.nanoTime() - retryAtNanos >= 0) {
            Append retry;
            while (batch.size() < settings.batchMax() && (retry = mustLand.poll()) != null) {
                batch.add(retry);
            }
        }
        if (batch.isEmpty()) {
            long waitNanos = mustLand.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(200)
                    : Math.max(0, retryAtNanos - System.nanoTime());
            Append first = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
            if (first == null) {
                return;
            }
            batch.add(first);
        }
        queue.drainTo(batch, settings.batchMax() - batch.size());
        long lingerNanos = settings.linger().toNanos();
        long deadline = System.nanoTime() + lingerNanos;
        while (batch.size() < settings.batchMax() && lingerNanos > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Append next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, settings.batchMax() - batch.size());
        }
    }

    /** Stores the batch; returns how many of its appends wait for a retry. */
    private int flush(List<Append> batch) {
        List<Append> kept = new ArrayList<>(batch.size());
        for (Append append : batch) {
            if (append.mustLand() || !failedRuns.contains(append.runId())) {
                kept.add(append);
            }
        }
        if (kept.isEmpty()) {
            return 0;
        }
        Map<String, Long> seqs = new HashMap<>();
        List<Stored> stored = new ArrayList<>(kept.size());
        try (Connection connection = database.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                 PreparedStatement endRun = connection.prepareStatement(END_RUN)) {
                if (settings.shared()) {
                    seqs.putAll(lockedLastSeqs(connection, kept));
                }
                boolean endsRuns = false;
                Instant now = clock.instant();
                for (Append append : kept) {
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
                    stored.add(new Stored(append.threadId(), append.runId(), seq, json, append.closes()));
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
        } catch (SQLException | RuntimeException e) {
            return failed(kept, e);
        }
        if (!settings.shared()) {
            lastSeqs.putAll(seqs);
        }
        retryDelay = FIRST_RETRY;
        listener.flushed(true, stored.size());
        listener.stored(stored);
        return 0;
    }

    /**
     * The last seq of each thread of the batch, read under a row lock that the other nodes' writers
     * wait for until this flush commits; locked in thread id order, so two writers cannot deadlock.
     */
    private static Map<String, Long> lockedLastSeqs(Connection connection, List<Append> batch) throws SQLException {
        Map<String, Long> last = new HashMap<>();
        try (PreparedStatement lock = connection.prepareStatement(LOCK_THREAD)) {
            for (String threadId : batch.stream().map(Append::threadId).distinct().sorted().toList()) {
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

    /** Nothing of the batch is stored: its runs fail, and what must land is tried again later. */
    private int failed(List<Append> batch, Exception cause) {
        LOG.log(Level.WARNING, "Storing " + batch.size() + " run events failed; their runs end with STORAGE_UNAVAILABLE", cause);
        Map<String, String> runs = new HashMap<>();
        int retried = 0;
        for (Append append : batch) {
            lastSeqs.remove(append.threadId()); // whether anything landed is not known for sure: read it again
            if (append.mustLand()) {
                mustLand.add(append);
                retried++;
            } else if (failedRuns.add(append.runId())) {
                runs.put(append.runId(), append.threadId());
            }
        }
        retryAtNanos = System.nanoTime() + retryDelay.toNanos();
        retryDelay = retryDelay.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retryDelay.multipliedBy(2);
        listener.flushed(false, 0);
        if (!runs.isEmpty()) {
            listener.failed(runs);
        }
        return retried;
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
