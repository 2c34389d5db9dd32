package dev.agentwire.streams.control;

import dev.agentwire.protocol.FrameCodec;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
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
 * batch is full or the linger since its first event has passed. Each flush is one
 * {@link GroupCommit}, which numbers each event with its thread's next seq as it stores it, so the
 * order of a thread's events is the order in which they were appended, on one node or several
 * ({@link Settings#shared}).
 *
 * <p>Only what committed is handed on ({@link Listener#stored}), in seq order per thread. A flush
 * that fails rolls back entirely: its runs are failed ({@link Listener#failed}) and whatever else
 * they append is dropped, so a thread's log never has a gap. Appends marked {@code mustLand} (a
 * run's substitute closing event, recovery's events) are retried with a growing delay
 * ({@link RetryDelay}) until
 * they are stored; every run therefore ends in the log once the database is back.
 */
final class EventWriter {

    private static final Logger LOG = Logger.getLogger(EventWriter.class.getName());

    static final int FAILED_RUNS_KEPT = 65_536;

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

    /** What the writer reports; called on its thread, so keep it short. */
    interface Listener {
        /** The events committed, in the order they were appended (seq order per thread). */
        void stored(List<CommittedEvent> events);

        /** These runs' events (run id to thread id) could not be stored; nothing of the failed flush remains. */
        void failed(Map<String, String> runThreads);

        /** A flush committed ({@code true}) or failed: what readiness shows. */
        void flushed(boolean committed, int events);
    }

    private final GroupCommit commit;
    private final Settings settings;
    private final Listener listener;
    private final BlockingQueue<EventAppend> queue;
    private final Queue<EventAppend> mustLand = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    // touched by the writer thread only
    /** Runs whose events could not be stored: anything they still append is dropped. */
    private final Set<String> failedRuns = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > FAILED_RUNS_KEPT;
        }
    });
    private final RetryDelay retry = new RetryDelay();
    private volatile boolean stopping;
    private final AtomicLong appended = new AtomicLong();
    private volatile long done; // written by the writer thread only

    EventWriter(DataSource database, FrameCodec codec, Settings settings, Listener listener, ThreadFactory threads, Clock clock) {
        this.commit = new GroupCommit(database, codec, settings.shared(), clock);
        this.settings = settings;
        this.listener = listener;
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
    boolean append(EventAppend append) {
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
        List<EventAppend> batch = new ArrayList<>(settings.batchMax());
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
    private void collect(List<EventAppend> batch) throws InterruptedException {
        if (!mustLand.isEmpty() && retry.due(System.nanoTime())) {
            EventAppend again;
            while (batch.size() < settings.batchMax() && (again = mustLand.poll()) != null) {
                batch.add(again);
            }
        }
        if (batch.isEmpty()) {
            long waitNanos = mustLand.isEmpty() ? TimeUnit.MILLISECONDS.toNanos(200)
                    : retry.nanosUntilDue(System.nanoTime());
            EventAppend first = queue.poll(waitNanos, TimeUnit.NANOSECONDS);
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
            EventAppend next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, settings.batchMax() - batch.size());
        }
    }

    /** Stores the batch; returns how many of its appends wait for a retry. */
    private int flush(List<EventAppend> batch) {
        List<EventAppend> kept = new ArrayList<>(batch.size());
        for (EventAppend append : batch) {
            if (append.mustLand() || !failedRuns.contains(append.runId())) {
                kept.add(append);
            }
        }
        if (kept.isEmpty()) {
            return 0;
        }
        List<CommittedEvent> stored;
        try {
            stored = commit.store(kept);
        } catch (SQLException | RuntimeException e) {
            return failed(kept, e);
        }
        retry.reset();
        listener.flushed(true, stored.size());
        listener.stored(stored);
        return 0;
    }

    /** Nothing of the batch is stored: its runs fail, and what must land is tried again later. */
    private int failed(List<EventAppend> batch, Exception cause) {
        LOG.log(Level.WARNING, "Storing " + batch.size() + " run events failed; their runs end with STORAGE_UNAVAILABLE", cause);
        Map<String, String> runs = new HashMap<>();
        int retried = 0;
        for (EventAppend append : batch) {
            commit.forget(append.threadId());
            if (append.mustLand()) {
                mustLand.add(append);
                retried++;
            } else if (failedRuns.add(append.runId())) {
                runs.put(append.runId(), append.threadId());
            }
        }
        retry.failed(System.nanoTime());
        listener.flushed(false, 0);
        if (!runs.isEmpty()) {
            listener.failed(runs);
        }
        return retried;
    }
}
