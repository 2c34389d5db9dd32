package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.ServerFrame;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A run's appends, and the one STORAGE_UNAVAILABLE closing a run gets when its events cannot be stored. */
class RunStreamsTest {

    final List<EventAppend> queued = new CopyOnWriteArrayList<>();
    final AtomicBoolean full = new AtomicBoolean();
    final RunStreams runs = new RunStreams(append -> {
        if (full.get() && !append.mustLand()) {
            return false;
        }
        queued.add(append);
        return true;
    });

    static String typeOf(EventAppend append) {
        return append.factory().create(append.runId(), append.threadId(), 1, Instant.EPOCH).getClass().getSimpleName();
    }

    @Test
    void appendsAndTheClosingEventGoToTheWriterAndTheRunIsNoLongerOpen() {
        RunStream run = runs.open("t", "r");
        run.append(EventWriterTest.thinking("a"));
        run.end((r, t, seq, at) -> new ServerFrame.AgentCompleted(r, t, seq, at, "done", "completed"), RunOutcome.COMPLETED);
        assertEquals(2, queued.size());
        assertEquals(RunOutcome.COMPLETED.name(), queued.get(1).outcome());
        assertEquals(0, runs.openRuns());
    }

    @Test
    void aRunTheWriterCannotTakeEndsWithStorageUnavailableOnceAndAppendsNothingMore() {
        RunStream run = runs.open("t", "r");
        full.set(true);
        assertThrows(RunStream.StorageFailed.class, () -> run.append(EventWriterTest.thinking("a")));
        full.set(false);
        assertThrows(RunStream.StorageFailed.class, () -> run.append(EventWriterTest.thinking("b")));
        run.end(EventWriterTest.thinking("closing"), RunOutcome.COMPLETED);
        assertEquals(1, queued.size(), "only the substitute closing");
        EventAppend closing = queued.get(0);
        assertTrue(closing.mustLand());
        assertEquals(RunOutcome.STORAGE_UNAVAILABLE.name(), closing.outcome());
        assertEquals("AgentError", typeOf(closing));
    }

    @Test
    void aFailedFlushEndsOpenRunsAndRunsThatHadEndedAlike() {
        RunStream open = runs.open("t", "open");
        runs.failed(Map.of("open", "t", "ended", "t"));
        assertEquals(2, queued.size());
        assertTrue(queued.stream().allMatch(a -> a.mustLand() && a.outcome().equals(RunOutcome.STORAGE_UNAVAILABLE.name())));
        assertThrows(RunStream.StorageFailed.class, () -> open.append(EventWriterTest.thinking("late")));
    }

    @Test
    void anAbandonedRunsClosingMustLand() {
        runs.endAbandoned("t", "r", EventWriterTest.thinking("gone"), RunOutcome.FAILED);
        assertTrue(queued.get(0).mustLand());
        assertEquals(RunOutcome.FAILED.name(), queued.get(0).outcome());
    }
}
