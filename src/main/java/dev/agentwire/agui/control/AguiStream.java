package dev.agentwire.agui.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.Subscriber;
import jakarta.json.Json;
import jakarta.json.JsonReaderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One AG-UI response stream: a subscriber of its thread's event stream, like a WebSocket
 * connection, that writes one run's events as AG-UI server-sent events. The thread's stream
 * hands it stored events on its delivery lanes; they are queued here (bounded, never blocking the
 * lane) and written by one writer thread, in {@link #writeTo}, which returns once the run's
 * closing event is written, the client went away, or the stream failed.
 * Every event written carries its SSE id (see {@link AguiEvent}), so a client that lost the stream
 * repeats its request with {@code Last-Event-ID} and continues exactly there.
 */
public final class AguiStream implements Subscriber {

    private static final JsonReaderFactory EVENTS = Json.createReaderFactory(Map.of());

    /** Where the events go: the response's server-sent events. A failure means the client is gone. */
    public interface Events {
        /** Writes the events, in order, and flushes them. */
        void send(List<AguiEvent> events) throws IOException;

        /** Writes a comment that keeps the connection open (and finds out whether it still is). */
        void keepAlive() throws IOException;
    }

    private sealed interface Item {
    }

    private record Stored(String json) implements Item {
    }

    private record Failure(String code, String message) {
    }

    /** Wakes the writer for a failure, which it reads before anything queued. */
    private record Wake() implements Item {
    }

    /*
     * Made when the class is, not at the first failure: a server that stops can no longer load
     * classes, and a stream's first failure is often the shutdown (docs/platform-notes.md).
     */
    private static final Wake WAKE = new Wake();
    private static final Failure SHUTTING_DOWN = new Failure(ErrorCode.SERVER_SHUTDOWN.name(), ErrorCode.SERVER_SHUTDOWN.message());

    private final Owner owner;
    private final Instant expiresAt;
    private final JoinedRun run;
    private final LinkedBlockingQueue<Item> queue;
    private final Duration keepAlive;
    private final Consumer<AguiStream> onEnd;
    private volatile boolean open = true;
    private volatile Failure failure; // the first one wins
    private final AtomicBoolean ended = new AtomicBoolean();

    /**
     * {@code onEnd} runs once the stream is over, however it ended (leave the thread's stream there).
     *
     * @param expiresAt when the token of the request expires: the stream ends there with RUN_ERROR
     *                  AUTH_EXPIRED, as a WebSocket session does; the client repeats its request
     *                  with a new token and {@code Last-Event-ID}
     */
    public AguiStream(Owner owner, Instant expiresAt, JoinedRun run, int capacity, Duration keepAlive, Consumer<AguiStream> onEnd) {
        this.owner = owner;
        this.expiresAt = expiresAt;
        this.run = run;
        this.queue = new LinkedBlockingQueue<>(capacity);
        this.keepAlive = keepAlive;
        this.onEnd = onEnd;
    }

    @Override
    public Owner owner() {
        return owner;
    }

    /** A client that does not read gets no more: the stream ends with RUN_ERROR SLOW_CONSUMER, and it joins again from its Last-Event-ID. */
    @Override
    public boolean offer(String json) {
        if (!open) {
            return false;
        }
        if (!queue.offer(new Stored(json))) {
            fail(ErrorCode.SLOW_CONSUMER.name(), "The stream did not read its events fast enough and was cut off;"
                    + " join it again with Last-Event-ID.");
            return false;
        }
        return true;
    }

    /** A replay's end (resumed) needs nothing; a refused or failed replay ends the run's stream with RUN_ERROR. */
    @Override
    public void send(ServerFrame frame) {
        if (frame instanceof ServerFrame.ResumeUnavailable unavailable) {
            fail("RESUME_UNAVAILABLE", unavailable.message());
        } else if (frame instanceof ServerFrame.ErrorFrame error) {
            fail(error.code(), error.message());
        }
    }

    @Override
    public boolean awaitRoom(int frames, Duration timeout) throws InterruptedException {
        return Subscriber.awaitRoom(() -> queue.remainingCapacity() >= frames, this::isOpen, timeout);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void fail(ErrorCode code, String message, String correlationId) {
        fail(code.name(), message != null ? message : code.message());
    }

    private void fail(String code, String message) {
        fail(new Failure(code, message));
    }

    private synchronized void fail(Failure first) {
        if (failure == null) {
            failure = first;
            queue.offer(WAKE); // a full queue wakes the writer anyway
        }
    }

    /**
     * Writes the run's AG-UI events as they come, until the run's closing event; a keep-alive
     * comment when nothing came for a while, which also finds a client that went away.
     */
    public void writeTo(Events out) throws IOException {
        try {
            out.keepAlive(); // the response's head goes out now, not with the first event
            while (open) {
                long untilExpiry = Duration.between(Instant.now(), expiresAt).toMillis();
                if (untilExpiry <= 0) {
                    fail(ErrorCode.AUTH_EXPIRED.name(), "Your token expired; repeat the request with a new one"
                            + " and Last-Event-ID to go on.");
                }
                Item item = queue.poll(Math.max(1, Math.min(keepAlive.toMillis(), untilExpiry)), TimeUnit.MILLISECONDS);
                Failure failed = failure;
                if (failed != null) {
                    send(out, failed);
                    return;
                }
                if (item == null) {
                    out.keepAlive();
                } else if (item instanceof Stored stored) {
                    List<AguiEvent> events = run.next(EVENTS.createReader(new StringReader(stored.json())).readObject());
                    if (!events.isEmpty()) {
                        out.send(events);
                    }
                    if (run.ended()) {
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            // the server stops its threads: the failure that stopped the stream still goes out
            Failure failed = failure;
            if (failed != null) {
                send(out, failed);
            }
            Thread.currentThread().interrupt();
        } finally {
            abandon();
        }
    }

    private static void send(Events out, Failure failed) throws IOException {
        out.send(List.of(new AguiEvent(null, Json.createObjectBuilder().add("type", "RUN_ERROR")
                .add("message", failed.message()).add("code", failed.code()).build())));
    }

    /** The stream is over: nothing more is queued, and {@code onEnd} runs (once, however often this is called). */
    public void abandon() {
        open = false;
        if (ended.compareAndSet(false, true)) {
            onEnd.accept(this);
        }
    }

    /** Ends a stream from outside (the server stops): RUN_ERROR, and the client may resume later. */
    public void stop(ErrorCode code) {
        fail(code == ErrorCode.SERVER_SHUTDOWN ? SHUTTING_DOWN : new Failure(code.name(), code.message()));
    }
}
