package dev.agentwire.threads.control;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps a thread's events in seq order: numbering an event, storing it and handing it to the
 * connections happen under one lock per thread, so two runs in a thread cannot take the same
 * seq or overtake each other between the database and the socket. A JVM lock, so one
 * agentwire node per database. Striped: a fixed set of locks, whatever the number of threads.
 */
@ApplicationScoped
public class ThreadOrder {

    private static final int STRIPES = 256;
    private final Object[] locks = new Object[STRIPES];

    public ThreadOrder() {
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    public Object lockFor(String threadId) {
        return locks[Math.floorMod(threadId.hashCode(), STRIPES)];
    }
}
