package dev.agentwire.kernel;

import java.util.Objects;

/**
 * Who is acting, on which connection, and for which thread and run. Made once per connection
 * at the handshake from a verified token; per-run values are derived with {@link #forRun}.
 * The constructor rejects every invalid combination, so an instance is always usable: no
 * caller needs to validate it again, and no id is ever sliced or padded.
 *
 * @param issuer       the issuer of the verified token (its {@code iss}); users of two issuers never meet
 * @param userId       the verified principal name; any non-blank length, one character included
 * @param connectionId the WebSocket connection this context belongs to
 * @param requestId    the handshake that created the connection, for correlating logs
 * @param threadId     the conversation a run belongs to; null on a connection-level context
 * @param runId        the agent run; null on a connection-level context
 */
public record UserContext(String issuer, String userId, String connectionId, String requestId, String threadId, String runId) {

    static final int MAX_USER_ID_LENGTH = 256;
    static final int MAX_ID_LENGTH = 128;
    static final int MAX_ISSUER_LENGTH = 512;

    public UserContext {
        requireId("issuer", issuer, MAX_ISSUER_LENGTH);
        requireId("user id", userId, MAX_USER_ID_LENGTH);
        requireId("connection id", connectionId, MAX_ID_LENGTH);
        requireId("request id", requestId, MAX_ID_LENGTH);
        if ((threadId == null) != (runId == null)) {
            throw new IllegalArgumentException("thread id and run id come together");
        }
        if (threadId != null) {
            requireId("thread id", threadId, MAX_ID_LENGTH);
            requireId("run id", runId, MAX_ID_LENGTH);
        }
    }

    /** The context of a new connection for a verified user. */
    public static UserContext forConnection(String issuer, String userId) {
        return new UserContext(issuer, userId, Ids.newId(), Ids.newId(), null, null);
    }

    /** The context of one agent run in a thread, on the same user and connection. */
    public UserContext forRun(String threadId, String runId) {
        Objects.requireNonNull(threadId, "thread id");
        Objects.requireNonNull(runId, "run id");
        return new UserContext(issuer, userId, connectionId, requestId, threadId, runId);
    }

    /** Whose threads, runs and limits these are: the issuer and the user id together. */
    public Owner owner() {
        return new Owner(issuer, userId);
    }

    private static void requireId(String name, String value, int maxLength) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        if (value.length() > maxLength) {
            throw new IllegalArgumentException(name + " must be at most " + maxLength + " characters");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(name + " must not contain control characters");
        }
    }
}
