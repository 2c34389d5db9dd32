package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The frames a client sent before its session was ready, bounded in number and in characters,
 * handled in the order they arrived once it is. Holding and releasing share one lock, so a frame
 * that arrives while the held ones are handled waits for them.
 */
final class HeldFrames {

    /** Frames a client may send before the session is ready. */
    static final int MAX_FRAMES = 256;

    private final int maxChars;
    private final Queue<String> held = new ArrayDeque<>(); // guarded by itself
    private long chars; // guarded by held

    HeldFrames(int maxChars) {
        this.maxChars = maxChars;
    }

    /**
     * Hands {@code text} to the handler once the connection is PROCESSING_READY; before, holds it,
     * or drops it when the connection is no longer live. Throws RATE_LIMITED when a frame more
     * would not fit.
     */
    void receive(String text, Supplier<ConnectionState> state, Consumer<String> handler) {
        synchronized (held) {
            ConnectionState now = state.get();
            if (now != ConnectionState.PROCESSING_READY) {
                if (!now.isLive()) {
                    return;
                }
                if (held.size() >= MAX_FRAMES || chars + text.length() > maxChars) {
                    throw new GatewayException(ErrorCode.RATE_LIMITED,
                            "Too many frames before the session was ready; wait for the ready frame.");
                }
                held.add(text);
                chars += text.length();
                return;
            }
        }
        handler.accept(text);
    }

    /** Makes the connection ready, then hands every held frame to the handler, in order. */
    void release(Runnable becomeReady, Consumer<String> handler) {
        synchronized (held) {
            becomeReady.run();
            String text;
            while ((text = held.poll()) != null) {
                chars -= text.length();
                handler.accept(text);
            }
        }
    }
}
