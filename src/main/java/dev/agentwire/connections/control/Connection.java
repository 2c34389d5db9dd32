package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
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
    private final Set<String> followedThreads = ConcurrentHashMap.newKeySet();
    private volatile UserContext context;

    Connection(Session session, FrameCodec codec, int outboxCapacity) {
        this.session = session;
        this.codec = codec;
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

    /** Binds the verified user to this connection. */
    public void authenticate(UserContext userContext) {
        moveTo(ConnectionState.AUTHENTICATED);
        this.context = userContext;
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

    /** Sends a frame encoded once for several connections. */
    void sendEncoded(String json) {
        outbox.offer(json);
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

    public void follow(String threadId) {
        followedThreads.add(threadId);
    }

    public boolean follows(String threadId) {
        return followedThreads.contains(threadId);
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
