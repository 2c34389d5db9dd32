package dev.agentwire.streams.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Something that receives a thread's stored events: a WebSocket connection, or an AG-UI response
 * stream. The stream
 * decides what reaches it and in which order; a subscriber only queues what it is given and
 * never blocks the caller.
 */
public interface Subscriber {

    /** Whose it is: a replay's per-user limit counts by owner. */
    Owner owner();

    /** Queues one stored event, as encoded when stored; false when it could not (closed, or cut off for being full). */
    boolean offer(String json);

    /** Queues a frame that is not a run event (resumed, resume_unavailable, an error). */
    void send(ServerFrame frame);

    /** Waits until {@code frames} more fit, or gives up after the timeout (false). */
    boolean awaitRoom(int frames, Duration timeout) throws InterruptedException;

    /**
     * The wait of {@link #awaitRoom}, for subscribers whose queue says whether it has room: true
     * once {@code hasRoom}, false when the subscriber closed or the timeout passed. It polls (every
     * 5 ms): a replay waits here between pages only.
     */
    static boolean awaitRoom(BooleanSupplier hasRoom, BooleanSupplier isOpen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!hasRoom.getAsBoolean()) {
            if (!isOpen.getAsBoolean() || System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    boolean isOpen();

    /** Ends the subscriber with the error the code stands for (a replay it could not keep up with, say). */
    void fail(ErrorCode code, String message, String correlationId);
}
