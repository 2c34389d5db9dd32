package dev.agentwire.auth.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.List;
import java.util.Map;
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
}
