package dev.agentwire.auth.boundary;

import dev.agentwire.auth.control.HandshakeAuthenticator;
import dev.agentwire.auth.entity.HandshakeOutcome;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Checks the upgrade request and leaves the outcome in the session's user properties. It never
 * refuses the upgrade itself: the endpoint answers a refusal with an error frame and a close
 * code the client can act on. Configurators are not CDI beans, hence the lookup.
 */
public class TokenHandshake extends ServerEndpointConfig.Configurator {

    /** The application-scoped bean's client proxy, looked up once: the lookup cost 5% of a handshake. */
    private volatile HandshakeAuthenticator authenticator;

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        long started = System.nanoTime();
        config.getUserProperties().put(HandshakeOutcome.USER_PROPERTY, authenticator().authenticate(request, started));
    }

    private HandshakeAuthenticator authenticator() {
        HandshakeAuthenticator found = authenticator;
        if (found == null) {
            found = CDI.current().select(HandshakeAuthenticator.class).get();
            authenticator = found;
        }
        return found;
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return requested.contains(HandshakeAuthenticator.BEARER_SUBPROTOCOL) ? HandshakeAuthenticator.BEARER_SUBPROTOCOL : "";
    }
}
