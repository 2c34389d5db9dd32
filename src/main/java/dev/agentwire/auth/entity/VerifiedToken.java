package dev.agentwire.auth.entity;

import java.time.Instant;
import java.util.Set;

/**
 * What a verified token says about its bearer.
 *
 * @param userId    the MicroProfile JWT principal name (upn, else preferred_username, else sub)
 * @param issuer    the verified {@code iss}: a user id means something only together with it
 * @param groups    the {@code groups} claim
 * @param expiresAt when agentwire stops accepting the token: its {@code exp} plus
 *                  {@code mp.jwt.verify.clock.skew}; the same instant for REST and for a session
 */
public record VerifiedToken(String userId, String issuer, Set<String> groups, Instant expiresAt) {

    public VerifiedToken {
        groups = Set.copyOf(groups);
    }
}
