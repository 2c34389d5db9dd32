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
import java.time.Duration;
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
        boolean holdSends; // the peer does not read: sends never complete
        final Map<String, Object> properties = new ConcurrentHashMap<>();

        Session session() {
            RemoteEndpoint.Async remote = (RemoteEndpoint.Async) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {RemoteEndpoint.Async.class}, (proxy, method, args) -> {
                        if (method.getName().equals("sendText") && args.length == 2) {
                            if (goneUnderneath) {
                                throw new RuntimeException("Socket is not connected."); // as Tyrus does
                            }
                            if (holdSends) {
                                return null;
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
    final List<ErrorCode> counted = new ArrayList<>();
    final ConnectionSettings settings = new ConnectionSettings(5, 100, 16, 1000, 1000, Duration.ofSeconds(25),
            Duration.ofSeconds(75), Duration.ofSeconds(10), 20, 40, 20, 30, 3, Duration.ofMinutes(1));
    final Connection connection = new Connection(socket.session(), new FrameCodec(), settings, counted::add);

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
        connection.fail(code, code.message(), "corr");
        assertTrue(socket.sent.get(0).contains("AUTH_EXPIRED"));
        assertEquals(4401, socket.closedWith.getCloseCode().getCode());
        assertEquals("AUTH_EXPIRED", socket.closedWith.getReasonPhrase());
        assertEquals(ConnectionState.CLOSING, connection.state());
    }

    @Test
    void aBugMovesToFailed() {
        connection.moveTo(ConnectionState.ACCEPTED);
        ErrorCode code = ErrorCode.INTERNAL_ERROR;
        connection.fail(code, code.message(), "corr");
        assertEquals(ConnectionState.FAILED, connection.state());
    }

    @Test
    void nonClosingErrorsKeepTheConnection() {
        connection.moveTo(ConnectionState.ACCEPTED);
        ErrorCode code = ErrorCode.INVALID_FRAME;
        connection.fail(code, code.message(), "corr");
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
    void everyFailureIsCountedByItsCode() {
        connection.moveTo(ConnectionState.ACCEPTED);
        connection.fail(ErrorCode.INVALID_FRAME, "bad", "corr");
        connection.fail(ErrorCode.SLOW_CONSUMER, null, null);
        assertEquals(List.of(ErrorCode.INVALID_FRAME, ErrorCode.SLOW_CONSUMER), counted);
    }

    @Test
    void aSlowConsumerIsClosedWithoutAFrame() {
        connection.moveTo(ConnectionState.ACCEPTED);
        connection.fail(ErrorCode.SLOW_CONSUMER, null, null);
        assertEquals(List.of(), socket.sent);
        assertEquals(1008, socket.closedWith.getCloseCode().getCode());
    }

    @Test
    void theOutboxIsBoundedInBytesToo() {
        connection.moveTo(ConnectionState.ACCEPTED);
        socket.holdSends = true;
        assertTrue(connection.offer("x".repeat(600)));
        assertEquals(false, connection.offer("y".repeat(600)), "1,200 characters do not fit in 1,000");
        assertEquals(1008, socket.closedWith.getCloseCode().getCode());
    }

    @Test
    void framesHeldBeforeReadyAreBoundedInBytes() {
        connection.moveTo(ConnectionState.ACCEPTED);
        connection.receive("a".repeat(900), text -> { });
        var refused = assertThrows(dev.agentwire.protocol.GatewayException.class,
                () -> connection.receive("b".repeat(200), text -> { }));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
    }

    @Test
    void manySynchronousSendCompletionsDoNotRecurse() {
        for (int i = 0; i < 10; i++) {
            connection.send(new ServerFrame.Pong());
        }
        assertEquals(10, socket.sent.size());
    }

    @Test
    void aSessionClosingUnderneathASendIsNotAnError() {
        connection.moveTo(ConnectionState.ACCEPTED);
        socket.goneUnderneath = true;
        ErrorCode code = ErrorCode.AUTH_EXPIRED;
        connection.fail(code, code.message(), "corr");
        assertEquals(ConnectionState.CLOSING, connection.state());
        connection.ping(); // the heartbeat must not fail on it either
    }

    @Test
    void aBugClosesWith1011AfterItsFrame() {
        connection.moveTo(ConnectionState.ACCEPTED);
        connection.fail(ErrorCode.INTERNAL_ERROR, null, "corr");
        assertEquals(1011, socket.closedWith.getCloseCode().getCode());
        assertEquals(ConnectionState.FAILED, connection.state());
    }
}
