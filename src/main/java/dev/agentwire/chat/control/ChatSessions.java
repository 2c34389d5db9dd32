package dev.agentwire.chat.control;

import dev.agentwire.auth.entity.HandshakeOutcome;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What happens on a chat session: it opens with a handshake's outcome, receives frames, and
 * closes. The endpoint's one delegate; one instance for all sessions, so a connection costs no
 * CDI state of its own. What a method throws becomes an error frame on the session.
 */
@ApplicationScoped
@ErrorsAsFrames
public class ChatSessions {

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

    /** The session's connection, once it opened; null before. */
    public static Connection connectionOf(Session session) {
        return (Connection) session.getUserProperties().get(CONNECTION);
    }

    public void open(Session session) {
        refuseLargeMessagesWhileTheyArrive(session);
        Connection connection = hub.accept(session);
        session.getUserProperties().put(CONNECTION, connection);
        var outcome = (HandshakeOutcome) session.getUserProperties().remove(HandshakeOutcome.USER_PROPERTY);
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

    public void receive(Session session, String text) {
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

    public void pong(Session session) {
        connectionOf(session).seen();
    }

    public void refuseBinary(Session session) {
        throw new GatewayException(ErrorCode.UNSUPPORTED_DATA);
    }

    public void closed(Session session, CloseReason reason) {
        Connection connection = connectionOf(session);
        if (connection != null) {
            connection.closed();
            hub.unregister(connection);
        }
        metrics.connectionClosed(reason.getCloseCode().getCode());
    }

    /**
     * Tyrus puts a fragmented message together in a buffer of the session's maximum size, by
     * default unbounded, and hands it over only after the last fragment. With the frame limit as
     * that size it closes the session with 1009 ("Too big.", no error frame) as soon as the part
     * received passes it, while the rest is still arriving. Tyrus counts UTF-16 units, and a unit
     * takes at least one byte of UTF-8, so no message within the byte limit is refused there;
     * {@link #receive} checks the exact byte count of what gets through.
     */
    private void refuseLargeMessagesWhileTheyArrive(Session session) {
        session.setMaxTextMessageBufferSize(maxFrameBytes);
        session.setMaxBinaryMessageBufferSize(maxFrameBytes);
    }

    private boolean exceedsLimit(String text) {
        // A UTF-8 character takes at most three bytes per UTF-16 unit; count exactly only near the limit.
        return text.length() > maxFrameBytes
                || (text.length() * 3L > maxFrameBytes && text.getBytes(StandardCharsets.UTF_8).length > maxFrameBytes);
    }
}
