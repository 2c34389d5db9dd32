package dev.agentwire.agents.control;

import dev.agentwire.connections.entity.UserContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * Numbers the events of each thread. Numbering and delivery happen under the thread's lock, so
 * events reach clients in {@code seq} order even when two runs share a thread. Kept in memory:
 * the durable event log replaces it.
 */
@ApplicationScoped
public class ThreadSequences {

    private record ThreadKey(String userId, String threadId) {
    }

    private static final class Counter {
        private long last;
    }

    private final ConcurrentHashMap<ThreadKey, Counter> counters = new ConcurrentHashMap<>();

    /** Gives the next seq of the run's thread to {@code append}, which runs under the thread's lock. */
    public void next(UserContext run, LongConsumer append) {
        Counter counter = counters.computeIfAbsent(new ThreadKey(run.userId(), run.threadId()), key -> new Counter());
        synchronized (counter) {
            append.accept(++counter.last);
        }
    }
}
