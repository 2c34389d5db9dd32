package dev.agentwire.connections.control;

import dev.agentwire.connections.entity.ConnectionState;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection's place in its state machine ({@link ConnectionState}): it moves only along the
 * legal transitions, and leaves the live states exactly once, however many threads fail it at
 * the same time.
 */
final class ConnectionLifecycle {

    private final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.CONNECTING);

    ConnectionState current() {
        return state.get();
    }

    /** Moves to {@code next}; staying where it is is allowed, an illegal transition is a bug and throws. */
    void moveTo(ConnectionState next) {
        ConnectionState previous = state.getAndUpdate(current -> current.canMoveTo(next) ? next : current);
        if (previous != next && !previous.canMoveTo(next)) {
            throw new IllegalStateException("illegal connection transition " + previous + " -> " + next);
        }
    }

    /**
     * Leaves the live states, for FAILED after a bug and for CLOSING otherwise; true only for the
     * one call that left them.
     */
    boolean leave(boolean bug) {
        ConnectionState next = bug ? ConnectionState.FAILED : ConnectionState.CLOSING;
        ConnectionState previous = state.getAndUpdate(current -> current.isLive() ? next : current);
        return previous.isLive();
    }

    /** The socket is gone, whatever state the connection was in. */
    void closed() {
        state.set(ConnectionState.CLOSED);
    }
}
