package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import io.github.bucket4j.Bucket;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One WebSocket connection: its state machine, the user it belongs to once authenticated, the
 * frames it received before it was ready, and the only way to send to its session.
 */
public class Connection {

    /** Frames a client may send before the session is ready; they are handled, in order, once it is. */
    static final int MAX_HELD_FRAMES = 256;

    private final Session session;
    private final FrameCodec codec;
    private final Outbox outbox;
    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.CONNECTING);
    private final Queue<String> held = new ArrayDeque<>(); // guarded by itself
    private final Map<String, Following> followed = new ConcurrentHashMap<>();
    private volatile UserContext context;
    private volatile Instant expiresAt = Instant.MAX;
    private volatile long lastSeenNanos = System.nanoTime();
    private volatile UserLimits limits;

    /** A followed thread: live events flow unless a replay is catching up; seq never goes back. */
    private static final class Following {
        volatile boolean replaying;
        long lastSeq; // guarded by the thread's order lock
    }

    private final Bucket invalidFrames;

    Connection(Session session, FrameCodec codec, int outboxCapacity, int maxInvalidFrames, Duration invalidFrameWindow) {
        this.session = session;
        this.codec = codec;
        this.invalidFrames = Bucket.builder().addLimit(limit -> limit.capacity(maxInvalidFrames)
                .refillGreedy(maxInvalidFrames, invalidFrameWindow)).build();
        this.outbox = new Outbox(session, outboxCapacity,
                () -> closeNow(ErrorCode.SLOW_CONSUMER, ConnectionState.CLOSING));
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

    public String sessionId() {
        return session.getId();
    }

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
                if (held.size() >= MAX_HELD_FRAMES) {
                    throw new GatewayException(ErrorCode.RATE_LIMITED,
                            "Too many frames before the session was ready; wait for the ready frame.");
                }
                held.add(text);
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
                handler.accept(text);
            }
        }
    }

    public void send(ServerFrame frame) {
        outbox.offer(codec.encode(frame));
    }

    /**
     * Sends the error frame and, when its code says so, closes after it. A bug moves the
     * connection to FAILED, any other close to CLOSING.
     */
    public void reject(ServerFrame.ErrorFrame frame, ErrorCode code) {
        send(frame);
        code.closeCode().ifPresent(closeCode -> {
            if (leave(code.isBug() ? ConnectionState.FAILED : ConnectionState.CLOSING)) {
                outbox.closeAfterQueued(new CloseReason(closeCode, code.name()));
            }
        });
    }

    /** The socket is gone. */
    public void closed() {
        state.set(ConnectionState.CLOSED);
    }

    /** From now on, the thread's events reach this connection as they happen. */
    public void follow(String threadId) {
        followed.computeIfAbsent(threadId, id -> new Following());
    }

    /** Holds the thread's live events back while a replay of its log catches up. */
    public void startReplay(String threadId) {
        followed.computeIfAbsent(threadId, id -> new Following()).replaying = true;
    }

    /** The replay sent everything up to {@code lastSeq}; call under the thread's order lock. */
    public void endReplay(String threadId, long lastSeq) {
        Following following = followed.computeIfAbsent(threadId, id -> new Following());
        following.lastSeq = Math.max(following.lastSeq, lastSeq);
        following.replaying = false;
    }

    /** Sends a replayed event, encoded as it was stored. */
    public void replay(String json) {
        outbox.offer(json);
    }

    /** Waits until the outbox has room for a page of replay, or gives up after the timeout. */
    public boolean awaitRoom(int frames, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (outbox.room() < frames) {
            if (!isOpen() || System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Sends a live event of a followed thread, unless a replay is catching up or it was sent already. */
    void deliver(String threadId, long seq, String json) {
        Following following = followed.get(threadId);
        if (following == null || following.replaying || seq <= following.lastSeq) {
            return;
        }
        following.lastSeq = seq;
        outbox.offer(json);
    }

    /** Cuts off a peer that does not read (outbox full) or does not answer (idle), or one a bug hit. */
    public void cutOff(ErrorCode code) {
        closeNow(code, code.isBug() ? ConnectionState.FAILED : ConnectionState.CLOSING);
    }

    int queuedFrames() {
        return outbox.size();
    }

    private void closeNow(ErrorCode code, ConnectionState next) {
        if (leave(next)) {
            outbox.closeNow(new CloseReason(code.closeCode().orElseThrow(), code.name()));
        }
    }

    /** Leaves the live states once; false when the connection already left them. */
    private boolean leave(ConnectionState next) {
        ConnectionState previous = state.getAndUpdate(current -> current.isLive() ? next : current);
        return previous.isLive();
    }
}
