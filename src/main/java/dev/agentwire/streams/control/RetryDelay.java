package dev.agentwire.streams.control;

import java.time.Duration;

/**
 * When the writer tries again what must land after a failed flush: {@link #FIRST} after the
 * first failure, twice as long after each further one, at most {@link #LAST}; back to the first
 * once a flush commits. Times are {@link System#nanoTime} readings, passed in.
 */
final class RetryDelay {

    static final Duration FIRST = Duration.ofMillis(100);
    static final Duration LAST = Duration.ofSeconds(5);

    private Duration delay = FIRST;
    private long dueAtNanos;

    boolean due(long nowNanos) {
        return nowNanos - dueAtNanos >= 0;
    }

    long nanosUntilDue(long nowNanos) {
        return Math.max(0, dueAtNanos - nowNanos);
    }

    /** A flush failed at {@code nowNanos}: the next try is due after the current delay, which then doubles. */
    void failed(long nowNanos) {
        dueAtNanos = nowNanos + delay.toNanos();
        Duration doubled = delay.multipliedBy(2);
        delay = doubled.compareTo(LAST) > 0 ? LAST : doubled;
    }

    void reset() {
        delay = FIRST;
    }
}
