package dev.agentwire.auth.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentwire.kernel.Owner;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenPrincipalTest {

    @Test
    void theNameIsTheUserIdAndTheOwnerAddsTheIssuer() {
        var principal = TokenPrincipal.of(new VerifiedToken("alice", "https://idp.example", Set.of(), Instant.now()));
        assertEquals("alice", principal.getName());
        assertEquals(new Owner("https://idp.example", "alice"), principal.owner());
    }
}
