package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.Subscriber;
import io.github.bucket4j.Bucket;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One WebSocket connection: its state machine, the user it belongs to once authenticated, the
 * frames it received before it was ready, and the only way to send to its session. It is a
 * subscriber of the threads it follows (the stream decides what it gets), and
 * {@link #fail} is the one way a connection fails: the error frame, counted, sent, and the close
 * its {@link ErrorCode} decides.
 */
public class Connection implements Subscriber {

    /** Frames a client may send before the session is ready; they are handled, in order, once it is. */
    static final int MAX_HELD_FRAMES = 256;

    private final Session session;
    private final FrameCodec codec;
    private final Outbox outbox;
    private final Consumer<ErrorCode> failures;
    private final int heldMaxBytes;
    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.CONNECTING);
    private final Queue<String> held = new ArrayDeque<>(); // guarded by itself
    private long heldBytes; // guarded by held
    private volatile UserContext context;
    private volatile Instant expiresAt = Instant.MAX;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile UserLimits limits;
    private final Bucket invalidFrames;

    /** {@code failures} counts each failure by its code. */
    Connection(Session session, FrameCodec codec, ConnectionSettings settings, Consumer<ErrorCode> failures) {
        this.session = session;
        this.codec = codec;
        this.failures = failures;
        this.heldMaxBytes = settings.heldBytes();
        this.invalidFrames = Bucket.builder().addLimit(limit -> limit.capacity(settings.maxInvalidFrames())
                .refillGreedy(settings.maxInvalidFrames(), settings.invalidFrameWindow())).build();
        this.outbox = new Outbox(session, settings.outboxFrames(), settings.outboxBytes(),
                () -> fail(ErrorCode.SLOW_CONSUMER, null, null));
    }

    public ConnectionState state() {
        return state.get();
    }

    /** Moves the state machine; an illegal transition is a bug and throws. */
    public void moveTo(ConnectionState next) {
        ConnectionState previous = state.getAndUpdate(current -> current.canMoveTo(next) ? next : current);
        if (previous != next && !previous.canMoveTo(next)) {
            throw new IllegalStateException("illegal connection transition " + previous + " -> " + next);
        }
    }

    /** Binds the verified user to this connection, until the token expires. */
    public void authenticate(UserContext userContext, Instant tokenExpiresAt) {
        moveTo(ConnectionState.AUTHENTICATED);
        this.context = userContext;
        this.expiresAt = tokenExpiresAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    void expiresAt(Instant expiresAt) {
        this.expiresAt = expiresAt;
    }

    /** The user's rate limits, from registration on. */
    public UserLimits limits() {
        return limits;
    }

    void limits(UserLimits limits) {
        this.limits = limits;
    }

    /** Counts an invalid frame; false once there were too many in the window. */
    public boolean toleratesInvalidFrame() {
        return invalidFrames.tryConsume(1);
    }

    /** Anything from the peer (a frame, a pong) proves it is alive. */
    public void seen() {
        lastSeenNanos = System.nanoTime();
    }

    Duration outboxStalledFor() {
        return outbox.stalledFor();
    }

    Duration idleFor() {
        return Duration.ofNanos(System.nanoTime() - lastSeenNanos);
    }

    void ping() {
        IdleTimerContext.sendPing(session);
    }

    /** The user context, present from AUTHENTICATED on. */
    public Optional<UserContext> context() {
        return Optional.ofNullable(context);
    }

    @Override
    public Owner owner() {
        return context().orElseThrow(() -> new IllegalStateException("not authenticated yet")).owner();
    }

    public String sessionId() {
        return session.getId();
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }

    /**
     * Hands a received frame to the handler, or holds it while the connection is not ready yet.
     * Holding and draining share one lock, so frames are handled in the order they arrived.
     */
    public void receive(String text, Consumer<String> handler) {
        synchronized (held) {
            if (state() != ConnectionState.PROCESSING_READY) {
                if (!state().isLive()) {
                    return;
                }
                if (held.size() >= MAX_HELD_FRAMES || heldBytes + text.length() > heldMaxBytes) {
                    throw new GatewayException(ErrorCode.RATE_LIMITED,
                            "Too many frames before the session was ready; wait for the ready frame.");
                }
                held.add(text);
                heldBytes += text.length();
                return;
            }
        }
        handler.accept(text);
    }

    /** Announces readiness, then handles every held frame in order. */
    public void ready(ServerFrame.Ready frame, Consumer<String> handler) {
        synchronized (held) {
            moveTo(ConnectionState.PROCESSING_READY);
            send(frame);
            String text;
            while ((text = held.poll()) != null) {
                heldBytes -= text.length();
                handler.accept(text);
            }
        }
    }

    @Override
    public void send(ServerFrame frame) {
        outbox.offer(codec.encode(frame));
    }

    /** Sends a stored event, encoded as it was stored. */
    @Override
    public boolean offer(String json) {
        return outbox.offer(json);
    }

    @Override
    public boolean awaitRoom(int frames, Duration timeout) throws InterruptedException {
        return Subscriber.awaitRoom(() -> outbox.hasRoomFor(frames), this::isOpen, timeout);
    }

    @Override
    public void fail(ErrorCode code, String message, String correlationId) {
        fail(code, message, correlationId, List.of());
    }

    /**
     * Fails the connection, or only the request when the code keeps the session open: counts the
     * code, sends its error frame (none when the peer cannot take one: a slow consumer, an idle
     * peer), and closes as the code says. A bug moves the connection to FAILED, any other close
     * to CLOSING; a connection that already left the live states only counts.
     */
    public void fail(ErrorCode code, String message, String correlationId, List<ServerFrame.FieldProblem> problems) {
        fail(code, ServerFrame.ErrorFrame.of(code, message != null ? message : code.message(), correlationId, problems));
    }

    /** The same, asking the client to wait {@code reconnectAfter} before it reconnects. */
    public void fail(ErrorCode code, String message, String correlationId, Duration reconnectAfter) {
        fail(code, ServerFrame.ErrorFrame.of(code, message, correlationId, List.of()).reconnectingAfter(reconnectAfter));
    }

    private void fail(ErrorCode code, ServerFrame.ErrorFrame frame) {
        failures.accept(code);
        if (!code.sendsFrame()) {
            if (leave(code)) {
                outbox.closeNow(new CloseReason(code.closeCode().orElseThrow(), code.name()));
            }
            return;
        }
        send(frame);
        code.closeCode().ifPresent(closeCode -> {
            if (leave(code)) {
                outbox.closeAfterQueued(new CloseReason(closeCode, code.name()));
            }
        });
    }

    /** The socket is gone. */
    public void closed() {
        state.set(ConnectionState.CLOSED);
    }

    int queuedFrames() {
        return outbox.size();
    }

    /** Leaves the live states once; false when the connection already left them. */
    private boolean leave(ErrorCode code) {
        ConnectionState next = code.isBug() ? ConnectionState.FAILED : ConnectionState.CLOSING;
        ConnectionState previous = state.getAndUpdate(current -> current.isLive() ? next : current);
        return previous.isLive();
    }
}
