package dev.agentwire.auth.entity;

import dev.agentwire.kernel.Owner;
import java.security.Principal;
import java.time.Instant;

/**
 * The principal of a REST request with a verified bearer token. {@link #getName()} is the user
 * id clients know; {@link #owner()} adds the issuer, which is what decides whose threads a
 * request may read (a user id is unique only within its issuer). {@link #expiresAt()} is when
 * the token stops being accepted, which also ends a response that outlives its request (an AG-UI
 * stream).
 */
public record TokenPrincipal(Owner owner, Instant expiresAt) implements Principal {

    public static TokenPrincipal of(VerifiedToken token) {
        return new TokenPrincipal(new Owner(token.issuer(), token.userId()), token.expiresAt());
    }

    @Override
    public String getName() {
        return owner.userId();
    }
}
