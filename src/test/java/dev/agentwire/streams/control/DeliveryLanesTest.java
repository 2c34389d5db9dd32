package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A conversation thread always on the same lane: its events handed on in their order, on one delivery thread. */
class DeliveryLanesTest {

    final DeliveryLanes lanes = new DeliveryLanes(3, Executors.defaultThreadFactory());

    @AfterEach
    void stop() {
        lanes.shutdown();
    }

    @Test
    void eachThreadsEventsArriveInOrderOnOneLane() throws InterruptedException {
        List<CommittedEvent> events = new ArrayList<>();
        for (int seq = 1; seq <= 200; seq++) {
            for (String thread : List.of("a", "b", "c", "d", "e")) {
                events.add(new CommittedEvent(thread, "r", seq, "{}", false));
            }
        }
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        Map<String, Set<Thread>> on = new ConcurrentHashMap<>();
        CountDownLatch all = new CountDownLatch(events.size());
        for (int from = 0; from < events.size(); from += 50) {
            lanes.deliver(events.subList(from, from + 50), event -> {
                seen.computeIfAbsent(event.threadId(), t -> new CopyOnWriteArrayList<>()).add(event.seq());
                on.computeIfAbsent(event.threadId(), t -> ConcurrentHashMap.newKeySet()).add(Thread.currentThread());
                all.countDown();
            });
        }
        assertTrue(all.await(5, TimeUnit.SECONDS));
        for (String thread : List.of("a", "b", "c", "d", "e")) {
            List<Long> expected = new ArrayList<>();
            for (long seq = 1; seq <= 200; seq++) {
                expected.add(seq);
            }
            assertEquals(expected, seen.get(thread));
            assertEquals(1, on.get(thread).size(), thread + " went through one lane");
        }
    }

    @Test
    void aTaskForAThreadRunsAfterWhatItsLaneWasGivenBefore() throws InterruptedException {
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        lanes.deliver(List.of(new CommittedEvent("t", "r", 1, "{}", false)), event -> order.add("event"));
        lanes.execute("t", () -> {
            order.add("task");
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS));
        assertEquals(List.of("event", "task"), order);
    }
}
