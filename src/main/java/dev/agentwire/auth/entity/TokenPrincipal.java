package dev.agentwire.auth.entity;

import dev.agentwire.kernel.Owner;
import java.security.Principal;

/**
 * The principal of a REST request with a verified bearer token. {@link #getName()} is the user
 * id clients know; {@link #owner()} adds the issuer, which is what decides whose threads a
 * request may read (a user id is unique only within its issuer).
 */
public record TokenPrincipal(Owner owner) implements Principal {

    public static TokenPrincipal of(VerifiedToken token) {
        return new TokenPrincipal(new Owner(token.issuer(), token.userId()));
    }

    @Override
    public String getName() {
        return owner.userId();
    }
}
