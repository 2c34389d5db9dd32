package dev.agentwire.chat.boundary;

import dev.agentwire.auth.boundary.TokenHandshake;
import dev.agentwire.auth.control.HandshakeAuthenticator;
import dev.agentwire.chat.control.ChatSessions;
import jakarta.enterprise.inject.spi.CDI;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code ws://HOST:PORT/ws/chat}: opens, receives, closes, and delegates all of it to
 * {@link ChatSessions}, where the error frames are made. One instance per connection, holding
 * nothing but the delegate: see {@link Configurator}.
 */
@ServerEndpoint(value = "/ws/chat", configurator = ChatEndpoint.Configurator.class,
        subprotocols = HandshakeAuthenticator.BEARER_SUBPROTOCOL)
public class ChatEndpoint {

    private static final Logger LOG = Logger.getLogger(ChatEndpoint.class.getName());

    private final ChatSessions sessions;

    ChatEndpoint(ChatSessions sessions) {
        this.sessions = sessions;
    }

    /**
     * The token handshake, and endpoint instances made here rather than by the container, whose
     * CDI provider is costly per connection (docs/platform-notes.md).
     */
    public static class Configurator extends TokenHandshake {

        /** The application-scoped bean's client proxy, looked up once. */
        private volatile ChatSessions sessions;

        @Override
        public <T> T getEndpointInstance(Class<T> endpointClass) {
            ChatSessions found = sessions;
            if (found == null) {
                found = CDI.current().select(ChatSessions.class).get();
                sessions = found;
            }
            return endpointClass.cast(new ChatEndpoint(found));
        }
    }

    @OnOpen
    public void open(Session session) {
        sessions.open(session);
    }

    @OnMessage
    public void text(Session session, String text) {
        sessions.receive(session, text);
    }

    @OnMessage
    public void pong(Session session, PongMessage pong) {
        sessions.pong(session);
    }

    @OnMessage
    public void binary(Session session, ByteBuffer data) {
        sessions.refuseBinary(session);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        sessions.closed(session, reason);
    }

    @OnError
    public void error(Session session, Throwable error) {
        if (error instanceof IOException || error.getCause() instanceof IOException) {
            LOG.log(Level.FINE, "I/O error on session " + session.getId(), error);
            return;
        }
        if (!session.isOpen()) {
            // Tyrus refused what the client sent and has closed the session itself before telling
            // us, e.g. with 1009 for a message over the frame limit (ChatSessions): not a bug, and
            // rethrown it would be logged with its stack trace once per such client
            LOG.log(Level.FINE, "Session " + session.getId() + " closed by the container", error);
            return;
        }
        if (error instanceof RuntimeException bug) {
            throw bug;
        }
        throw new IllegalStateException("WebSocket error", error);
    }
}
