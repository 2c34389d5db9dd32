package dev.agentwire.streams.control;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The threads that hand stored events to subscribers, apart from the writer's, so it can store
 * the next batch meanwhile. Each lane is one thread; a conversation thread always goes through
 * the same lane, so its events are handed on in the order they were stored.
 */
final class DeliveryLanes {

    private final ExecutorService[] lanes;

    DeliveryLanes(int count, ThreadFactory threads) {
        lanes = new ExecutorService[count];
        for (int i = 0; i < count; i++) {
            lanes[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threads);
        }
    }

    /** Runs the task on the thread's lane, after what the lane was given before. */
    void execute(String threadId, Runnable task) {
        lanes[laneOf(threadId)].execute(task);
    }

    /** Hands each event to {@code deliver} on its thread's lane, in their order: one task per lane. */
    void deliver(List<CommittedEvent> events, Consumer<CommittedEvent> deliver) {
        List<List<CommittedEvent>> perLane = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) {
            perLane.add(new ArrayList<>());
        }
        for (CommittedEvent event : events) {
            perLane.get(laneOf(event.threadId())).add(event);
        }
        for (int i = 0; i < lanes.length; i++) {
            List<CommittedEvent> lane = perLane.get(i);
            if (!lane.isEmpty()) {
                lanes[i].execute(() -> lane.forEach(deliver));
            }
        }
    }

    int laneOf(String threadId) {
        return Math.floorMod(threadId.hashCode(), lanes.length);
    }

    /** Lets the lanes finish what they were given; takes nothing new. */
    void shutdown() {
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
    }
}
