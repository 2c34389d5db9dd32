package dev.agentwire.auth.entity;

import java.time.Instant;
import java.util.Set;

/** What a verified token says about its bearer. */
public record VerifiedToken(String userId, String issuer, Set<String> groups, Instant expiresAt) {

    public VerifiedToken {
        groups = Set.copyOf(groups);
    }
}
