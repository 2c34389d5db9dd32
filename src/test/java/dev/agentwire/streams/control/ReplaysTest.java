package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.entity.StoredEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Replays from a log held in memory: pages, the handover to live events, and what is refused before a replay starts. */
class ReplaysTest {

    /** A thread's log in memory. */
    static final class MemoryLog extends EventLog {
        final List<StoredEvent> events = new CopyOnWriteArrayList<>();

        void add(long upTo) {
            for (long seq = events.size() + 1; seq <= upTo; seq++) {
                events.add(new StoredEvent("t", seq, "r", "agent_thinking",
                        "{\"type\":\"agent_thinking\",\"seq\":" + seq + "}", Instant.EPOCH));
            }
        }

        @Override
        public List<StoredEvent> after(String threadId, long afterSeq, int limit) {
            List<StoredEvent> page = new ArrayList<>();
            for (StoredEvent event : events) {
                if (event.seq() > afterSeq && page.size() < limit) {
                    page.add(event);
                }
            }
            return page;
        }

        @Override
        public long latestSeq(String threadId) {
            return events.size();
        }
    }

    final MemoryLog log = new MemoryLog();
    final Subscriptions subscriptions = new Subscriptions();
    final Replays replays = new Replays(log, subscriptions, new ReplayQuota(4), 1000, Duration.ofSeconds(1), 2,
            Executors.defaultThreadFactory());
    final ThreadStreamsTest.RecordingSubscriber client = new ThreadStreamsTest.RecordingSubscriber("ann");

    @AfterEach
    void stop() {
        replays.shutdown();
    }

    ServerFrame.Resumed awaitResumed() throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            for (ServerFrame frame : client.frames) {
                if (frame instanceof ServerFrame.Resumed resumed) {
                    return resumed;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no resumed frame");
    }

    @Test
    void aResumeSendsEveryMissedEventOverSeveralPagesThenResumed() throws InterruptedException {
        log.add(Replays.PAGE * 2 + 5);
        replays.resume(client, "t", 3);
        ServerFrame.Resumed resumed = awaitResumed();
        assertEquals(Replays.PAGE * 2 + 2, resumed.replayed());
        assertEquals(Replays.PAGE * 2 + 5, client.seqs.get(client.seqs.size() - 1));
        assertEquals(4, client.seqs.get(0));
        var subscription = subscriptions.subscribe(client, "t", 0);
        synchronized (subscription) {
            assertEquals(Replays.PAGE * 2 + 5, subscription.lastSeq);
            assertTrue(!subscription.replaying, "handed over to the live events");
        }
    }

    @Test
    void aSeqAheadOfTheLogIsUnavailable() {
        log.add(5);
        replays.resume(client, "t", 9);
        var unavailable = assertInstanceOf(ServerFrame.ResumeUnavailable.class, client.frames.get(0));
        assertEquals("after_seq_ahead", unavailable.reason());
        assertEquals(List.of(), client.seqs);
    }

    @Test
    void tooManyMissedEventsAreUnavailable() {
        log.add(1005);
        replays.resume(client, "t", 1);
        var unavailable = assertInstanceOf(ServerFrame.ResumeUnavailable.class, client.frames.get(0));
        assertEquals("too_many_events", unavailable.reason());
    }
}
