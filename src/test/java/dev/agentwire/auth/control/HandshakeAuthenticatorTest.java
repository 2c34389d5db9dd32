package dev.agentwire.auth.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.auth.entity.VerifiedToken;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HandshakeAuthenticatorTest {

    @Test
    void readsTheAuthorizationHeaderInAnyCase() {
        assertEquals("abc", HandshakeAuthenticator.bearerToken(Map.of("authorization", List.of("bearer abc"))));
        assertEquals("abc", HandshakeAuthenticator.bearerToken(Map.of("Authorization", List.of("Bearer  abc "))));
    }

    @Test
    void readsTheTokenAfterTheBearerSubprotocol() {
        assertEquals("t.o.k", HandshakeAuthenticator.bearerToken(Map.of("Sec-WebSocket-Protocol", List.of("bearer, t.o.k"))));
        assertEquals("t.o.k", HandshakeAuthenticator.bearerToken(Map.of("sec-websocket-protocol", List.of("chat", "bearer", "t.o.k"))));
    }

    @Test
    void theHeaderWinsOverTheSubprotocol() {
        assertEquals("header", HandshakeAuthenticator.bearerToken(Map.of(
                "Authorization", List.of("Bearer header"), "Sec-WebSocket-Protocol", List.of("bearer, protocol"))));
    }

    @Test
    void missingTokenIsAuthMissingToken() {
        for (Map<String, List<String>> headers : List.of(
                Map.<String, List<String>>of(),
                Map.of("Authorization", List.of("Basic dXNlcjpwYXNz")),
                Map.of("Authorization", List.of("Bearer ")),
                Map.of("Sec-WebSocket-Protocol", List.of("bearer")))) {
            var refusal = assertThrows(GatewayException.class, () -> HandshakeAuthenticator.bearerToken(headers));
            assertEquals(ErrorCode.AUTH_MISSING_TOKEN, refusal.code(), headers.toString());
        }
    }

    @Test
    void refreshKeepsTheIssuerAndTheUserOfTheSession() {
        var authenticator = refreshingWith(new VerifiedToken("alice", "https://idp.example", Set.of(), Instant.now().plusSeconds(600)));
        assertEquals("alice", authenticator.refresh("token", new Owner("https://idp.example", "alice")).userId());
    }

    @Test
    void refreshWithAnotherIssuersTokenForTheSameNameIsRejected() {
        var authenticator = refreshingWith(new VerifiedToken("alice", "agentwire-dev-issuer", Set.of(), Instant.now().plusSeconds(600)));
        var refusal = assertThrows(GatewayException.class, () -> authenticator.refresh("token", new Owner("https://idp.example", "alice")));
        assertEquals(ErrorCode.REFRESH_REJECTED, refusal.code());
        assertTrue(refusal.personMessage().contains("another issuer"), refusal.personMessage());
    }

    @Test
    void refreshWithAnotherUsersTokenIsRejected() {
        var authenticator = refreshingWith(new VerifiedToken("mallory", "https://idp.example", Set.of(), Instant.now().plusSeconds(600)));
        var refusal = assertThrows(GatewayException.class, () -> authenticator.refresh("token", new Owner("https://idp.example", "alice")));
        assertEquals(ErrorCode.REFRESH_REJECTED, refusal.code());
    }

    @Test
    void aPageOfTheServerItselfIsSameOrigin() {
        assertTrue(HandshakeAuthenticator.isSameOrigin("http://localhost:8080", Optional.of("localhost:8080")));
        assertTrue(HandshakeAuthenticator.isSameOrigin("https://Chat.Example", Optional.of("chat.example")));
        assertTrue(HandshakeAuthenticator.isSameOrigin("https://chat.example", Optional.of("chat.example:443")));
        assertTrue(HandshakeAuthenticator.isSameOrigin("http://[::1]:8080", Optional.of("[::1]:8080")));
    }

    @Test
    void aPageOfAnotherHostOrPortIsNotSameOrigin() {
        assertFalse(HandshakeAuthenticator.isSameOrigin("https://evil.example", Optional.of("chat.example")));
        assertFalse(HandshakeAuthenticator.isSameOrigin("http://localhost:9090", Optional.of("localhost:8080")));
        assertFalse(HandshakeAuthenticator.isSameOrigin("http://localhost", Optional.of("localhost:8080")));
        assertFalse(HandshakeAuthenticator.isSameOrigin("null", Optional.of("localhost:8080")));
        assertFalse(HandshakeAuthenticator.isSameOrigin("http://localhost:8080", Optional.empty()));
        assertFalse(HandshakeAuthenticator.isSameOrigin("http://localhost:8080", Optional.of("[::1]:8080")));
    }

    /** An authenticator whose verifier vouches for the given token, whatever it is sent. */
    private static HandshakeAuthenticator refreshingWith(VerifiedToken verified) {
        var authenticator = new HandshakeAuthenticator();
        authenticator.verifier = new TokenVerifier() {
            @Override
            public VerifiedToken verify(String token) {
                return verified;
            }
        };
        authenticator.requiredRole = Optional.empty();
        return authenticator;
    }
}
