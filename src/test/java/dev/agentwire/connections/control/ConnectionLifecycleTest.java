package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.connections.entity.ConnectionState;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Legal moves only, and leaving the live states exactly once. */
class ConnectionLifecycleTest {

    final ConnectionLifecycle lifecycle = new ConnectionLifecycle();

    @Test
    void movesAlongTheLegalTransitionsAndMayStayWhereItIs() {
        lifecycle.moveTo(ConnectionState.ACCEPTED);
        lifecycle.moveTo(ConnectionState.ACCEPTED);
        lifecycle.moveTo(ConnectionState.AUTHENTICATED);
        assertEquals(ConnectionState.AUTHENTICATED, lifecycle.current());
    }

    @Test
    void anIllegalTransitionThrowsAndChangesNothing() {
        assertThrows(IllegalStateException.class, () -> lifecycle.moveTo(ConnectionState.PROCESSING_READY));
        assertEquals(ConnectionState.CONNECTING, lifecycle.current());
    }

    @Test
    void aBugLeavesForFailedAnythingElseForClosing() {
        assertTrue(lifecycle.leave(false));
        assertEquals(ConnectionState.CLOSING, lifecycle.current());
        var other = new ConnectionLifecycle();
        assertTrue(other.leave(true));
        assertEquals(ConnectionState.FAILED, other.current());
    }

    @Test
    void onlyTheFirstLeaveCounts() {
        assertTrue(lifecycle.leave(false));
        assertFalse(lifecycle.leave(true));
        assertEquals(ConnectionState.CLOSING, lifecycle.current(), "a later bug does not move a closing connection");
        lifecycle.closed();
        assertFalse(lifecycle.leave(false));
        assertEquals(ConnectionState.CLOSED, lifecycle.current());
    }

    @Test
    void ofManyThreadsLeavingAtOnceExactlyOneDoes() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> left = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                boolean bug = i % 2 == 0;
                left.add(threads.submit(() -> {
                    start.await();
                    return lifecycle.leave(bug);
                }));
            }
            start.countDown();
            int leavers = 0;
            for (Future<Boolean> one : left) {
                leavers += one.get(5, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, leavers);
        } finally {
            threads.shutdownNow();
        }
    }
}
