package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendResult;
import jakarta.websocket.Session;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The connection's own logic: holding early frames, ordering, closing after an error frame. */
class ConnectionTest {

    /** Records what the connection sends; completes every async send at once, as a fast socket would. */
    static final class RecordingSocket {
        final List<String> sent = new ArrayList<>();
        CloseReason closedWith;
        boolean goneUnderneath; // still reported open, but the container refuses to send
        final Map<String, Object> properties = new ConcurrentHashMap<>();

        Session session() {
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        if (method.getName().equals("sendText") && args.length == 2) {
                            if (goneUnderneath) {
                                throw new RuntimeException("Socket is not connected."); // as Tyrus does
                            }
                            sent.add((String) args[0]);
                            ((jakarta.websocket.SendHandler) args[1]).onResult(new SendResult());
                        }
                        if (method.getName().equals("sendPing") && goneUnderneath) {
                            throw new RuntimeException("Socket is not connected.");
                        }
                        return null;
                    });
            return (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getAsyncRemote" -> remote;
                        case "isOpen" -> closedWith == null;
                        case "getId" -> "session-1";
                        case "getUserProperties" -> properties;
                        case "close" -> {
                            closedWith = (CloseReason) args[0];
                            yield null;
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    final RecordingSocket socket = new RecordingSocket();
    final Connection connection = new Connection(socket.session(), new FrameCodec(), 16, 3, java.time.Duration.ofMinutes(1));

    @Test
    void framesBeforeReadyAreHeldThenHandledInOrderAfterTheReadyFrame() {
        List<String> handled = new ArrayList<>();
        connection.moveTo(ConnectionState.ACCEPTED);
        connection.receive("first", handled::add);
        connection.authenticate(UserContext.forConnection("https://issuer.test", "u"), java.time.Instant.MAX);
        connection.receive("second", handled::add);
        connection.moveTo(ConnectionState.SERVICES_READY);
        assertEquals(List.of(), handled, "nothing is handled before ready");

        connection.ready(new ServerFrame.Ready("c", "u", 1, java.time.Instant.MAX), text -> {
            handled.add(text);
            assertTrue(socket.sent.get(0).contains("\"ready\""), "ready goes out before held frames are handled");
        });
        connection.receive("third", handled::add);
        assertEquals(List.of("first", "second", "third"), handled);
    }

    @Test
    void illegalTransitionsAreRejected() {
        assertThrows(IllegalStateException.class, () -> connection.moveTo(ConnectionState.PROCESSING_READY));
        assertEquals(ConnectionState.CONNECTING, connection.state());
    }

    @Test
    void refusalSendsTheFrameThenClosesWithItsCode() {
        connection.moveTo(ConnectionState.ACCEPTED);
        ErrorCode code = ErrorCode.AUTH_EXPIRED;
        connection.reject(ServerFrame.ErrorFrame.of(code, code.message(), "corr", List.of()), code);
        assertTrue(socket.sent.get(0).contains("AUTH_EXPIRED"));
        assertEquals(4401, socket.closedWith.getCloseCode().getCode());
        assertEquals("AUTH_EXPIRED", socket.closedWith.getReasonPhrase());
        assertEquals(ConnectionState.CLOSING, connection.state());
    }

    @Test
    void aBugMovesToFailed() {
        connection.moveTo(ConnectionState.ACCEPTED);
        ErrorCode code = ErrorCode.INTERNAL_ERROR;
        connection.reject(ServerFrame.ErrorFrame.of(code, code.message(), "corr", List.of()), code);
        assertEquals(ConnectionState.FAILED, connection.state());
    }

    @Test
    void nonClosingErrorsKeepTheConnection() {
        connection.moveTo(ConnectionState.ACCEPTED);
        ErrorCode code = ErrorCode.INVALID_FRAME;
        connection.reject(ServerFrame.ErrorFrame.of(code, code.message(), "corr", List.of()), code);
        assertEquals(null, socket.closedWith);
        assertEquals(ConnectionState.ACCEPTED, connection.state());
    }

    @Test
    void toleratesInvalidFramesUpToTheLimit() {
        assertTrue(connection.toleratesInvalidFrame());
        assertTrue(connection.toleratesInvalidFrame());
        assertTrue(connection.toleratesInvalidFrame());
        assertEquals(false, connection.toleratesInvalidFrame());
    }

    @Test
    void replayHoldsLiveEventsBackAndNeverSendsASeqTwice() {
        connection.follow("t");
        connection.deliver("t", 1, "live-1");
        connection.startReplay("t");
        connection.deliver("t", 2, "live-2-held");
        connection.replay("replayed-2");
        connection.replay("replayed-3");
        connection.endReplay("t", 3);
        connection.deliver("t", 3, "live-3-duplicate");
        connection.deliver("t", 4, "live-4");
        connection.deliver("other", 1, "not-followed");
        assertEquals(List.of("live-1", "replayed-2", "replayed-3", "live-4"), socket.sent);
    }

    @Test
    void manySynchronousSendCompletionsDoNotRecurse() {
        for (int i = 0; i < 10; i++) {
            connection.send(new ServerFrame.Pong());
        }
        assertEquals(10, socket.sent.size());
        assertEquals(0, connection.queuedFrames());
    }

    @Test
    void aSessionClosingUnderneathASendIsNotAnError() {
        connection.moveTo(ConnectionState.ACCEPTED);
        socket.goneUnderneath = true;
        ErrorCode code = ErrorCode.AUTH_EXPIRED;
        connection.reject(ServerFrame.ErrorFrame.of(code, code.message(), "corr", List.of()), code);
        assertEquals(ConnectionState.CLOSING, connection.state());
        connection.ping(); // the heartbeat must not fail on it either
    }

    @Test
    void aBugCutsOffAtOnceWith1011() {
        connection.moveTo(ConnectionState.ACCEPTED);
        connection.cutOff(ErrorCode.INTERNAL_ERROR);
        assertEquals(1011, socket.closedWith.getCloseCode().getCode());
        assertEquals(ConnectionState.FAILED, connection.state());
    }
}
