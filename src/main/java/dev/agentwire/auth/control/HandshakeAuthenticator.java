package dev.agentwire.auth.control;

import dev.agentwire.auth.entity.HandshakeOutcome;
import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.server.HandshakeRequest;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Decides whether an upgrade request may become a connection, and for whom: origin, token,
 * role. The user context is made here, once, from the verified token only.
 */
@ApplicationScoped
public class HandshakeAuthenticator {

    public static final String BEARER_SUBPROTOCOL = "bearer";

    @Inject
    TokenVerifier verifier;

    @Inject
    @ConfigProperty(name = "agentwire.websocket.allowed-origins", defaultValue = "*")
    List<String> allowedOrigins;

    @Inject
    @ConfigProperty(name = "agentwire.auth.required-role")
    Optional<String> requiredRole;

    public HandshakeOutcome authenticate(HandshakeRequest request, long startedNanos) {
        try {
            checkOrigin(request.getHeaders());
            VerifiedToken token = verifier.verify(bearerToken(request.getHeaders()));
            requiredRole.ifPresent(role -> {
                if (!token.groups().contains(role)) {
                    throw new GatewayException(ErrorCode.FORBIDDEN, "Your token lacks the role needed to chat.");
                }
            });
            return new HandshakeOutcome.Accepted(contextFor(token), token.expiresAt(), startedNanos);
        } catch (GatewayException refusal) {
            return new HandshakeOutcome.Refused(refusal.code(), refusal.personMessage(), startedNanos);
        } catch (RuntimeException bug) {
            return new HandshakeOutcome.Broken(bug, startedNanos);
        }
    }

    /**
     * Checks a token sent to extend a live session: valid, from the same issuer, for the same
     * user, with the required role. A user id is only unique within its issuer, so a token of
     * another trusted issuer naming the same user id is someone else's. Any failure is
     * REFRESH_REJECTED, which keeps the session open with its current expiry: the session's
     * owner proved who they are at the handshake, and a wrong refresh token takes nothing from
     * that nor adds to it.
     */
    public VerifiedToken refresh(String token, Owner owner) {
        VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (GatewayException refusal) {
            throw new GatewayException(ErrorCode.REFRESH_REJECTED, "The new token was not accepted ("
                    + refusal.code() + "); the session keeps its current expiry.");
        }
        if (!verified.issuer().equals(owner.issuer())) {
            throw new GatewayException(ErrorCode.REFRESH_REJECTED, "The new token is from another issuer than the session's;"
                    + " the session keeps its current expiry.");
        }
        if (!verified.userId().equals(owner.userId())) {
            throw new GatewayException(ErrorCode.REFRESH_REJECTED, "The new token is for another user; the session keeps its current expiry.");
        }
        if (requiredRole.isPresent() && !verified.groups().contains(requiredRole.get())) {
            throw new GatewayException(ErrorCode.REFRESH_REJECTED, "The new token lacks the role needed to chat.");
        }
        return verified;
    }

    private static UserContext contextFor(VerifiedToken token) {
        try {
            return UserContext.forConnection(token.issuer(), token.userId());
        } catch (IllegalArgumentException e) {
            throw new GatewayException(ErrorCode.AUTH_INVALID_USER_ID,
                    "The token's user id is not acceptable: it must be at most 256 characters without control characters.");
        }
    }

    private void checkOrigin(Map<String, List<String>> headers) {
        if (allowedOrigins.contains("*")) {
            return;
        }
        header(headers, "Origin").ifPresent(origin -> {
            if (!allowedOrigins.contains(origin) && !isSameOrigin(origin, header(headers, "Host"))) {
                throw new GatewayException(ErrorCode.FORBIDDEN, "Pages from this origin may not connect.");
            }
        });
    }

    /**
     * Whether a page's origin is the server the upgrade request is addressed to: its host and
     * port are the request's {@code Host}. Such a page was served by agentwire itself (the chat
     * page), so it may always connect, whatever the allow-list says. This is safe against
     * cross-site WebSocket hijacking: a browser sets both headers itself, and a page of another
     * site carries that site's origin. The scheme is not compared, since a TLS-terminating proxy
     * turns {@code https} pages into plain requests; default ports are written out on both sides.
     */
    static boolean isSameOrigin(String origin, Optional<String> host) {
        if (host.isEmpty()) {
            return false;
        }
        URI page;
        try {
            page = new URI(origin);
        } catch (URISyntaxException malformed) {
            return false;
        }
        if (page.getHost() == null || page.getScheme() == null) {
            return false;
        }
        int defaultPort = page.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        String pageAuthority = page.getHost() + ":" + (page.getPort() >= 0 ? page.getPort() : defaultPort);
        String requested = host.get().trim();
        boolean hasPort = requested.lastIndexOf(':') > requested.lastIndexOf(']');
        String requestAuthority = hasPort ? requested : requested + ":" + defaultPort;
        return pageAuthority.equalsIgnoreCase(requestAuthority);
    }

    /** From {@code Authorization: Bearer <jwt>}, or else from the subprotocol pair {@code bearer, <jwt>}. */
    static String bearerToken(Map<String, List<String>> headers) {
        Optional<String> authorization = header(headers, "Authorization")
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .filter(value -> !value.isEmpty());
        if (authorization.isPresent()) {
            return authorization.get();
        }
        List<String> protocols = values(headers, "Sec-WebSocket-Protocol").stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .map(String::trim)
                .toList();
        int bearer = protocols.indexOf(BEARER_SUBPROTOCOL);
        if (bearer >= 0 && bearer + 1 < protocols.size() && !protocols.get(bearer + 1).isEmpty()) {
            return protocols.get(bearer + 1);
        }
        throw new GatewayException(ErrorCode.AUTH_MISSING_TOKEN, "A bearer token is required:"
                + " send Authorization: Bearer <jwt>, or the subprotocols \"bearer\" and the token.");
    }

    private static Optional<String> header(Map<String, List<String>> headers, String name) {
        return values(headers, name).stream().findFirst();
    }

    private static List<String> values(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream()
                .filter(entry -> entry.getKey() != null && entry.getKey().equalsIgnoreCase(name))
                .flatMap(entry -> entry.getValue().stream())
                .toList();
    }

}
