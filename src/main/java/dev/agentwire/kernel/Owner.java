package dev.agentwire.kernel;

/**
 * Who owns threads, runs and limits: a user id is only unique within its issuer, so the two go
 * together everywhere agentwire decides whose something is. Clients see the user id alone.
 */
public record Owner(String issuer, String userId) {

    public Owner {
        if (issuer == null || issuer.isBlank() || userId == null || userId.isBlank()) {
            throw new IllegalArgumentException("an owner needs an issuer and a user id");
        }
    }
}
