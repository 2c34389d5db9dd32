package dev.agentwire.chat.boundary;

import dev.agentwire.auth.boundary.TokenHandshake;
import dev.agentwire.auth.control.HandshakeAuthenticator;
import dev.agentwire.auth.entity.HandshakeOutcome;
import dev.agentwire.chat.control.FrameDispatcher;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code ws://HOST:PORT/ws/chat}: opens, receives, closes, and delegates everything else.
 * One instance per connection; shared state lives in {@link ConnectionHub}.
 */
@ServerEndpoint(value = "/ws/chat", configurator = TokenHandshake.class,
        subprotocols = HandshakeAuthenticator.BEARER_SUBPROTOCOL)
@ErrorsAsFrames
public class ChatEndpoint {

    private static final Logger LOG = Logger.getLogger(ChatEndpoint.class.getName());
    private static final String CONNECTION = Connection.class.getName();

    @Inject
    ConnectionHub hub;

    @Inject
    FrameDispatcher dispatcher;

    @Inject
    GatewayMetrics metrics;

    @Inject
    @ConfigProperty(name = "agentwire.frames.max-bytes", defaultValue = "65536")
    int maxFrameBytes;

    @OnOpen
    public void open(Session session) {
        Connection connection = hub.accept(session);
        session.getUserProperties().put(CONNECTION, connection);
        var outcome = (HandshakeOutcome) session.getUserProperties().remove(TokenHandshake.OUTCOME);
        if (outcome == null) {
            throw new IllegalStateException("session opened without a handshake outcome");
        }
        HandshakeOutcome.Accepted accepted = outcome.accepted();
        UserContext context = accepted.context();
        connection.authenticate(context, accepted.expiresAt());
        hub.register(connection);
        connection.ready(new ServerFrame.Ready(context.connectionId(), context.userId(), maxFrameBytes, accepted.expiresAt()),
                text -> dispatcher.handle(connection, text));
        metrics.handshake(outcome.elapsed());
    }

    @OnMessage
    public void text(Session session, String text) {
        if (exceedsLimit(text)) {
            throw new GatewayException(ErrorCode.FRAME_TOO_LARGE,
                    "Frames may be at most " + maxFrameBytes + " bytes of UTF-8.");
        }
        Connection connection = connectionOf(session);
        connection.seen();
        if (connection.limits() != null) {
            connection.limits().checkFrame();
        }
        connection.receive(text, frame -> dispatcher.handle(connection, frame));
    }

    @OnMessage
    public void pong(Session session, PongMessage pong) {
        connectionOf(session).seen();
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data) {
        throw new GatewayException(ErrorCode.UNSUPPORTED_DATA);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        Connection connection = connectionOf(session);
        if (connection != null) {
            connection.closed();
            hub.unregister(connection);
        }
        metrics.connectionClosed(reason.getCloseCode().getCode());
    }

    @OnError
    public void error(Session session, Throwable error) {
        if (error instanceof IOException || error.getCause() instanceof IOException) {
            LOG.log(Level.FINE, "I/O error on session " + session.getId(), error);
            return;
        }
        if (error instanceof RuntimeException bug) {
            throw bug;
        }
        throw new IllegalStateException("WebSocket error", error);
    }

    static Connection connectionOf(Session session) {
        return (Connection) session.getUserProperties().get(CONNECTION);
    }

    private boolean exceedsLimit(String text) {
        // A UTF-8 character takes at most three bytes per UTF-16 unit; count exactly only near the limit.
        return text.length() > maxFrameBytes
                || (text.length() * 3L > maxFrameBytes && text.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes);
    }
}
