package dev.agentwire.connections.entity;

import java.util.Objects;
import java.util.UUID;

/**
 * Who is acting, on which connection, and for which thread and run. Made once per connection
 * at the handshake from a verified token; per-run values are derived with {@link #forRun}.
 * The constructor rejects every invalid combination, so an instance is always usable: no
 * caller needs to validate it again, and no id is ever sliced or padded.
 *
 * @param userId       the verified principal name; any non-blank length, one character included
 * @param connectionId the WebSocket connection this context belongs to
 * @param requestId    the handshake that created the connection, for correlating logs
 * @param threadId     the conversation a run belongs to; null on a connection-level context
 * @param runId        the agent run; null on a connection-level context
 */
public record UserContext(String userId, String connectionId, String requestId, String threadId, String runId) {

    static final int MAX_USER_ID_LENGTH = 256;
    static final int MAX_ID_LENGTH = 128;

    public UserContext {
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
    public static UserContext forConnection(String userId) {
        return new UserContext(userId, newId(), newId(), null, null);
    }

    /** The context of one agent run in a thread, on the same user and connection. */
    public UserContext forRun(String threadId, String runId) {
        Objects.requireNonNull(threadId, "thread id");
        Objects.requireNonNull(runId, "run id");
        return new UserContext(userId, connectionId, requestId, threadId, runId);
    }

    public boolean isRun() {
        return runId != null;
    }

    /**
     * A new id: a UUID version 7 (RFC 9562), the millisecond first, then 74 random bits. Ids
     * made later sort later, so the rows and index entries a run or a thread adds go to the end
     * of their B-tree, which stays in the database's cache; random version 4 ids sent every
     * insert of the event log's run index to a random page (12% of a chat's CPU in H2 page
     * reads, see docs/benchmarks.md). The JDK 17 makes only version 4, so the time goes on top.
     */
    public static String newId() {
        UUID random = UUID.randomUUID();
        long timeAndVersion = (System.currentTimeMillis() << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(timeAndVersion, random.getLeastSignificantBits()).toString();
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
