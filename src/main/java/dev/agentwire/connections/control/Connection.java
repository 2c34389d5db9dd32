package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.Subscriber;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One WebSocket connection: the user it belongs to once authenticated, and the only way to send
 * to its session (its {@link Outbox}). Its state machine ({@link ConnectionLifecycle}), the frames
 * it received before it was ready ({@link HeldFrames}) and its allowance of invalid frames
 * ({@link InvalidFrames}) are parts of their own. It is a
 * subscriber of the threads it follows (the stream decides what it gets), and
 * {@link #fail} is the one way a connection fails: the error frame, counted, sent, and the close
 * its {@link ErrorCode} decides.
 */
public class Connection implements Subscriber {

    private final Session session;
    private final FrameCodec codec;
    private final Outbox outbox;
    private final Consumer<ErrorCode> failures;
    private final ConnectionLifecycle lifecycle = new ConnectionLifecycle();
    private final HeldFrames held;
    private final InvalidFrames invalidFrames;
    private volatile UserContext context;
    private volatile Instant expiresAt = Instant.MAX;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile UserLimits limits;

    /** {@code failures} counts each failure by its code. */
    Connection(Session session, FrameCodec codec, ConnectionSettings settings, Consumer<ErrorCode> failures) {
        this.session = session;
        this.codec = codec;
        this.failures = failures;
        this.held = new HeldFrames(settings.heldBytes());
        this.invalidFrames = new InvalidFrames(settings.maxInvalidFrames(), settings.invalidFrameWindow());
        this.outbox = new Outbox(session, settings.outboxFrames(), settings.outboxBytes(),
                () -> fail(ErrorCode.SLOW_CONSUMER, null, null));
    }

    public ConnectionState state() {
        return lifecycle.current();
    }

    /** Moves the state machine; an illegal transition is a bug and throws. */
    public void moveTo(ConnectionState next) {
        lifecycle.moveTo(next);
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
        return invalidFrames.tolerateOne();
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

    /** Hands a received frame to the handler, or holds it while the connection is not ready yet ({@link HeldFrames}). */
    public void receive(String text, Consumer<String> handler) {
        held.receive(text, lifecycle::current, handler);
    }

    /** Announces readiness, then handles every held frame in order. */
    public void ready(ServerFrame.Ready frame, Consumer<String> handler) {
        held.release(() -> {
            moveTo(ConnectionState.PROCESSING_READY);
            send(frame);
        }, handler);
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

    /** Fails with the code's error frame ({@link #fail(ErrorCode, ServerFrame.ErrorFrame)}); {@code message} null for the code's own. */
    @Override
    public void fail(ErrorCode code, String message, String correlationId) {
        fail(code, ServerFrame.ErrorFrame.of(code, message != null ? message : code.message(), correlationId, List.of()));
    }

    /**
     * Fails the connection, or only the request when the code keeps the session open: counts the
     * code, sends {@code frame}, the error frame of that code (none when the peer cannot take one:
     * a slow consumer, an idle peer), and closes as the code says. A bug moves the connection to
     * FAILED, any other close to CLOSING; a connection that already left the live states only
     * counts.
     */
    public void fail(ErrorCode code, ServerFrame.ErrorFrame frame) {
        failures.accept(code);
        if (!code.sendsFrame()) {
            if (lifecycle.leave(code.isBug())) {
                outbox.closeNow(new CloseReason(code.closeCode().orElseThrow(), code.name()));
            }
            return;
        }
        send(frame);
        code.closeCode().ifPresent(closeCode -> {
            if (lifecycle.leave(code.isBug())) {
                outbox.closeAfterQueued(new CloseReason(closeCode, code.name()));
            }
        });
    }

    /** The socket is gone. */
    public void closed() {
        lifecycle.closed();
    }
}
