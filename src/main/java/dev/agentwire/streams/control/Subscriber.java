package dev.agentwire.streams.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import java.time.Duration;

/**
 * Something that receives a thread's stored events: a WebSocket connection now. The stream
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

    boolean isOpen();

    /** Ends the subscriber with the error the code stands for (a replay it could not keep up with, say). */
    void fail(ErrorCode code, String message, String correlationId);
}
