package dev.agentwire.streams.control;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who follows which thread: per thread its subscriptions and the last seq handed to them, per
 * subscriber the threads it follows, so that a subscriber that goes leaves them all. A thread
 * nobody follows any more is forgotten.
 */
final class Subscriptions {

    /**
     * One subscriber's view of one thread: the last seq it was sent, so that seq never goes back
     * and nothing is sent twice, and whether a replay is catching it up (live events are then left
     * to the replay, which reads them from the log). Read and changed holding its lock.
     */
    static final class Subscription {
        final Subscriber subscriber;
        long lastSeq; // guarded by this
        boolean replaying; // guarded by this

        Subscription(Subscriber subscriber, long lastSeq) {
            this.subscriber = subscriber;
            this.lastSeq = lastSeq;
        }
    }

    /** A thread's subscriptions and the last seq handed to them. */
    static final class Stream {
        final Map<Subscriber, Subscription> subscriptions = new ConcurrentHashMap<>();
        volatile long lastDelivered;
    }

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Map<Subscriber, Set<String>> threadsOf = new ConcurrentHashMap<>();

    boolean follows(Subscriber subscriber, String threadId) {
        Stream stream = streams.get(threadId);
        return stream != null && stream.subscriptions.containsKey(subscriber);
    }

    /** The subscriber's subscription to the thread; a new one starts after {@code lastSeq}, an existing one is kept as it is. */
    Subscription subscribe(Subscriber subscriber, String threadId, long lastSeq) {
        Subscription[] made = new Subscription[1];
        streams.compute(threadId, (id, existing) -> {
            Stream stream = existing != null ? existing : new Stream();
            made[0] = stream.subscriptions.computeIfAbsent(subscriber, s -> new Subscription(s, lastSeq));
            return stream;
        });
        threadsOf.computeIfAbsent(subscriber, s -> ConcurrentHashMap.newKeySet()).add(threadId);
        return made[0];
    }

    /** The subscriber is gone: it leaves every thread it followed. */
    void leave(Subscriber subscriber) {
        Set<String> threads = threadsOf.remove(subscriber);
        if (threads == null) {
            return;
        }
        for (String threadId : threads) {
            streams.computeIfPresent(threadId, (id, stream) -> {
                stream.subscriptions.remove(subscriber);
                return stream.subscriptions.isEmpty() ? null : stream;
            });
        }
    }

    /** The thread's stream, or null when nobody here follows it. */
    Stream of(String threadId) {
        return streams.get(threadId);
    }

    /** The last seq handed to the thread's subscribers here; 0 when nobody follows it. */
    long lastDelivered(String threadId) {
        Stream stream = streams.get(threadId);
        return stream != null ? stream.lastDelivered : 0;
    }
}
