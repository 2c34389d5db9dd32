package dev.agentwire.auth.entity;

import dev.agentwire.kernel.Owner;
import java.security.Principal;

/** The caller of a REST request with a verified token: its name is the user id, its owner adds the issuer. */
public record OwnerPrincipal(Owner owner) implements Principal {

    @Override
    public String getName() {
        return owner.userId();
    }
}
