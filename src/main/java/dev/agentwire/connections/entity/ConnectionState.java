package dev.agentwire.connections.entity;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a connection. The happy path is CONNECTING, ACCEPTED, AUTHENTICATED,
 * SERVICES_READY, PROCESSING_READY; any live state may go to CLOSING (an orderly close we
 * started), FAILED (a bug) or CLOSED (the socket is gone).
 */
public enum ConnectionState {
    CONNECTING, ACCEPTED, AUTHENTICATED, SERVICES_READY, PROCESSING_READY, CLOSING, FAILED, CLOSED;

    public boolean canMoveTo(ConnectionState next) {
        return successors().contains(next);
    }

    public boolean isLive() {
        return this != CLOSING && this != FAILED && this != CLOSED;
    }

    private Set<ConnectionState> successors() {
        return switch (this) {
            case CONNECTING -> EnumSet.of(ACCEPTED, CLOSING, FAILED, CLOSED);
            case ACCEPTED -> EnumSet.of(AUTHENTICATED, CLOSING, FAILED, CLOSED);
            case AUTHENTICATED -> EnumSet.of(SERVICES_READY, CLOSING, FAILED, CLOSED);
            case SERVICES_READY -> EnumSet.of(PROCESSING_READY, CLOSING, FAILED, CLOSED);
            case PROCESSING_READY -> EnumSet.of(CLOSING, FAILED, CLOSED);
            case CLOSING -> EnumSet.of(FAILED, CLOSED);
            case FAILED -> EnumSet.of(CLOSED);
            case CLOSED -> EnumSet.noneOf(ConnectionState.class);
        };
    }
}
