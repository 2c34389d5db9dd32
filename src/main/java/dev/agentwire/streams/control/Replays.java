package dev.agentwire.streams.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.Subscriptions.Subscription;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.StorageFailures;
import dev.agentwire.threads.entity.StoredEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads a subscriber's missing events of a thread from the log, a page at a time as its queue
 * has room, and hands it over to the live events without a gap or a duplicate: the replay ends
 * holding the subscription's lock once it has read past the last seq delivered live, and live
 * delivery skips a subscription while it replays. A client's resume is answered {@code resumed}
 * and counts against its user's {@link ReplayQuota}; a catch-up (events another node stored)
 * is neither.
 */
final class Replays {

    private static final Logger LOG = Logger.getLogger(Replays.class.getName());
    static final int PAGE = 200;

    private final EventLog log;
    private final Subscriptions subscriptions;
    private final ReplayQuota quota;
    private final int maxEvents;
    private final Duration drainTimeout;
    private final ThreadPoolExecutor pool;

    Replays(EventLog log, Subscriptions subscriptions, ReplayQuota quota, int maxEvents, Duration drainTimeout,
            int threads, ThreadFactory threadFactory) {
        this.log = log;
        this.subscriptions = subscriptions;
        this.quota = quota;
        this.maxEvents = maxEvents;
        this.drainTimeout = drainTimeout;
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(threads * 64),
                threadFactory);
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Sends the subscriber the thread's events after {@code afterSeq} from the log, then its live
     * events; answers {@code resume_unavailable} when there is no such seq yet or more than
     * {@code maxEvents} were missed. One replay per thread and subscriber at a time. What the
     * subscriber was sent already is not sent again: seq never goes back on a subscriber.
     */
    void resume(Subscriber subscriber, String threadId, long afterSeq) {
        long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
        if (afterSeq > latest) {
            subscriber.send(new ServerFrame.ResumeUnavailable(threadId, afterSeq, latest, "after_seq_ahead",
                    "The thread has no event after seq " + latest + "; resume from " + latest + " or less."));
            return;
        }
        if (latest - afterSeq > maxEvents) {
            subscriber.send(new ServerFrame.ResumeUnavailable(threadId, afterSeq, latest, "too_many_events",
                    "More than " + maxEvents + " events were missed: load them with GET /api/threads/" + threadId
                            + "/events?after_seq=" + afterSeq + ", then resume from the last seq."));
            return;
        }
        Subscription subscription = subscriptions.subscribe(subscriber, threadId, 0);
        synchronized (subscription) {
            if (subscription.replaying) {
                throw new GatewayException(ErrorCode.RATE_LIMITED, "A resume of this thread is going on this connection;"
                        + " wait for its resumed frame.");
            }
            quota.reserve(subscriber.owner());
            subscription.replaying = true;
            subscription.lastSeq = Math.max(subscription.lastSeq, afterSeq); // never send a seq twice on one subscriber
        }
        try {
            pool.execute(() -> replay(subscription, threadId, true));
        } catch (RejectedExecutionException e) {
            end(subscription, true);
            throw new GatewayException(ErrorCode.RATE_LIMITED, "Too many resumes are going on the server; retry shortly.");
        }
    }

    /**
     * Reads the subscriber's missing events of the thread from the log, then hands it back to the
     * live events: what another node stored reached this one as a wake-up, or a gap showed it.
     * Called holding the subscription's lock.
     */
    void catchUp(Subscription subscription, String threadId) {
        subscription.replaying = true;
        try {
            pool.execute(() -> replay(subscription, threadId, false));
        } catch (RejectedExecutionException e) {
            subscription.replaying = false;
            // the client reconnects and resumes from its last seq: nothing is lost
            subscription.subscriber.fail(ErrorCode.SERVER_BUSY, ErrorCode.SERVER_BUSY.message(), Ids.newId());
        }
    }

    void shutdown() {
        pool.shutdownNow();
    }

    /** Replays the log to the subscription until it caught up; {@code resume}: a client's resume, answered {@code resumed}. */
    private void replay(Subscription subscription, String threadId, boolean resume) {
        Subscriber subscriber = subscription.subscriber;
        int replayed = 0;
        long cursor;
        synchronized (subscription) {
            cursor = subscription.lastSeq;
        }
        try {
            while (true) {
                if (!subscriber.awaitRoom(PAGE, drainTimeout)) {
                    if (subscriber.isOpen()) {
                        subscriber.fail(ErrorCode.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER.message(), Ids.newId());
                    }
                    return;
                }
                List<StoredEvent> page = log.after(threadId, cursor, PAGE);
                synchronized (subscription) {
                    for (StoredEvent event : page) {
                        if (event.seq() > subscription.lastSeq && subscriber.offer(event.payload())) {
                            subscription.lastSeq = event.seq();
                            replayed++;
                        }
                    }
                    cursor = subscription.lastSeq;
                    if (page.size() < PAGE && subscriptions.lastDelivered(threadId) <= cursor) {
                        // caught up: every later event is delivered live, after this point
                        subscription.replaying = false;
                        if (resume) {
                            subscriber.send(new ServerFrame.Resumed(threadId, cursor, replayed));
                        }
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            String correlationId = Ids.newId();
            LOG.log(Level.WARNING, "Replay of thread " + threadId + " failed [" + correlationId + "]", e);
            // the one way a subscriber fails: counted, and the session stays open for this code
            subscriber.fail(ErrorCode.STORAGE_UNAVAILABLE, "The replay stopped at seq " + cursor
                    + "; resume again from there.", correlationId);
        } finally {
            end(subscription, resume);
        }
    }

    private void end(Subscription subscription, boolean counted) {
        synchronized (subscription) {
            subscription.replaying = false;
        }
        if (counted) {
            quota.release(subscription.subscriber.owner());
        }
    }
}
