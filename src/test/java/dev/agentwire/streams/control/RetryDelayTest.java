package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Retries after a failed flush: doubling from the first delay up to the last, back to the first after a commit. */
class RetryDelayTest {

    final RetryDelay retry = new RetryDelay();

    @Test
    void dueAtOnceBeforeAnyFailure() {
        assertTrue(retry.due(System.nanoTime()));
        assertEquals(0, retry.nanosUntilDue(System.nanoTime()));
    }

    @Test
    void eachFailureDoublesTheDelayUpToTheLast() {
        long now = 1_000;
        long expected = RetryDelay.FIRST.toNanos();
        for (int i = 0; i < 10; i++) {
            retry.failed(now);
            assertEquals(Math.min(expected, RetryDelay.LAST.toNanos()), retry.nanosUntilDue(now));
            assertFalse(retry.due(now));
            assertTrue(retry.due(now + retry.nanosUntilDue(now)));
            expected *= 2;
        }
        assertEquals(RetryDelay.LAST.toNanos(), retry.nanosUntilDue(now));
    }

    @Test
    void aCommitStartsOverFromTheFirstDelay() {
        retry.failed(0);
        retry.failed(0);
        retry.reset();
        retry.failed(0);
        assertEquals(RetryDelay.FIRST.toNanos(), retry.nanosUntilDue(0));
    }
}
