package dev.agentwire.connections.control;

import jakarta.websocket.CloseReason;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.io.IOException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bounded, ordered queue of text frames to one session, bounded in frames and in bytes
 * (a frame counts its length in characters: its heap size as Latin-1 text). One asynchronous send is in flight
 * at a time, so frames keep their order and no caller ever blocks on a slow socket. A close
 * queued with {@link #closeAfterQueued} goes out after everything queued before it.
 */
class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class.getName());

    private sealed interface Item {
    }

    private record Text(String text) implements Item {
    }

    private record Close(CloseReason reason) implements Item {
    }

    /** Tracks whether an async send completed inside the sendText call itself. */
    private static final int IN_CALL = 0, COMPLETED_IN_CALL = 1, RETURNED = 2;

    private final Session session;
    private final int capacity;
    private final long maxBytes;
    private final Runnable onOverflow;
    private final Queue<Item> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean sending = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long inFlightSinceNanos; // 0 when no send is waiting for the socket

    Outbox(Session session, int capacity, long maxBytes, Runnable onOverflow) {
        this.session = session;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.onOverflow = onOverflow;
    }

    /** Queues a frame; false when the outbox is closed or full (then the overflow action runs, as it does when a send fails). */
    boolean offer(String text) {
        if (closed.get()) {
            return false;
        }
        if (queued.incrementAndGet() > capacity | queuedBytes.addAndGet(text.length()) > maxBytes) {
            queued.decrementAndGet();
            queuedBytes.addAndGet(-text.length());
            onOverflow.run();
            return false;
        }
        queue.add(new Text(text));
        pump();
        return true;
    }

    /** Sends everything queued so far, then closes the session; later frames are dropped. */
    void closeAfterQueued(CloseReason reason) {
        if (closed.compareAndSet(false, true)) {
            queue.add(new Close(reason));
            pump();
        }
    }

    /** Closes at once, dropping what is queued: for a peer that does not read. */
    void closeNow(CloseReason reason) {
        if (closed.compareAndSet(false, true)) {
            queue.clear();
            close(reason);
        }
    }

    int size() {
        return queued.get();
    }

    /** How long the frame being sent has waited for the peer to take it; zero when none waits. */
    Duration stalledFor() {
        long since = inFlightSinceNanos;
        return since == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
    }

    /** Whether {@code frames} more frames fit, with at least half the byte budget free. */
    boolean hasRoomFor(int frames) {
        return capacity - queued.get() >= frames && queuedBytes.get() <= maxBytes / 2;
    }

    private void pump() {
        while (sending.compareAndSet(false, true)) {
            Item item = queue.poll();
            if (item == null) {
                sending.set(false);
                if (queue.isEmpty()) {
                    return;
                }
                continue;
            }
            if (item instanceof Close close) {
                close(close.reason());
                return; // sending stays true: nothing goes out after a close
            }
            if (!session.isOpen()) {
                queue.clear();
                return;
            }
            AtomicInteger call = new AtomicInteger(IN_CALL);
            inFlightSinceNanos = System.nanoTime();
            String text = ((Text) item).text();
            if (!IdleTimerContext.sendText(session, text, result -> sent(result, call, text.length()))) {
                inFlightSinceNanos = 0; // closed since the check above; the sweep frees the session
                queue.clear();
                return;
            }
            if (call.compareAndSet(IN_CALL, RETURNED)) {
                return; // the callback continues the pump
            }
            sending.set(false); // completed synchronously: keep looping here instead of recursing
        }
    }

    private void sent(SendResult result, AtomicInteger call, int length) {
        inFlightSinceNanos = 0;
        queued.decrementAndGet();
        queuedBytes.addAndGet(-length);
        if (!result.isOK()) {
            // the transport refused the frame (its pending-write limit, or a dead socket): the
            // peer would silently miss it, so the connection ends and the client resumes
            LOG.log(Level.FINE, "send failed on session " + session.getId(), result.getException());
            queue.clear();
            onOverflow.run();
            return;
        }
        if (!call.compareAndSet(IN_CALL, COMPLETED_IN_CALL)) {
            sending.set(false);
            pump();
        }
    }

    private void close(CloseReason reason) {
        try {
            if (session.isOpen()) {
                session.close(reason);
            }
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "close failed on session " + session.getId(), e);
        }
    }
}
