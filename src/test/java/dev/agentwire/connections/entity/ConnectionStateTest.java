package dev.agentwire.connections.entity;

import static dev.agentwire.connections.entity.ConnectionState.ACCEPTED;
import static dev.agentwire.connections.entity.ConnectionState.AUTHENTICATED;
import static dev.agentwire.connections.entity.ConnectionState.CLOSED;
import static dev.agentwire.connections.entity.ConnectionState.CLOSING;
import static dev.agentwire.connections.entity.ConnectionState.CONNECTING;
import static dev.agentwire.connections.entity.ConnectionState.FAILED;
import static dev.agentwire.connections.entity.ConnectionState.PROCESSING_READY;
import static dev.agentwire.connections.entity.ConnectionState.SERVICES_READY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionStateTest {

    @Test
    void happyPathGoesStepByStep() {
        List<ConnectionState> path = List.of(CONNECTING, ACCEPTED, AUTHENTICATED, SERVICES_READY, PROCESSING_READY, CLOSING, CLOSED);
        for (int i = 0; i + 1 < path.size(); i++) {
            assertTrue(path.get(i).canMoveTo(path.get(i + 1)), path.get(i) + " -> " + path.get(i + 1));
        }
    }

    @Test
    void noStepCanBeSkippedOrUndone() {
        assertFalse(CONNECTING.canMoveTo(AUTHENTICATED));
        assertFalse(ACCEPTED.canMoveTo(PROCESSING_READY));
        assertFalse(AUTHENTICATED.canMoveTo(PROCESSING_READY));
        assertFalse(PROCESSING_READY.canMoveTo(AUTHENTICATED));
        assertFalse(CLOSING.canMoveTo(PROCESSING_READY));
        assertFalse(FAILED.canMoveTo(CLOSING));
    }

    @Test
    void closedIsFinalAndEveryLiveStateCanFailOrClose() {
        assertEquals(List.of(), Arrays.stream(ConnectionState.values()).filter(CLOSED::canMoveTo).toList());
        for (ConnectionState state : ConnectionState.values()) {
            if (state.isLive()) {
                assertTrue(state.canMoveTo(FAILED) && state.canMoveTo(CLOSING) && state.canMoveTo(CLOSED), state.name());
            }
        }
    }
}
