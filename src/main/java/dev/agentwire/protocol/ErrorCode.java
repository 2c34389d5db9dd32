package dev.agentwire.protocol;

import jakarta.websocket.CloseReason.CloseCode;
import jakarta.websocket.CloseReason.CloseCodes;
import java.util.Optional;

/**
 * Every error a client can see, with the close code that follows it. This enum is the one place
 * that maps a failure to a close code: only {@link #INTERNAL_ERROR} closes with "unexpected
 * condition", and nothing else in the code base decides that.
 */
public enum ErrorCode {

    AUTH_MISSING_TOKEN(4401, false, "A bearer token is required."),
    AUTH_MALFORMED_TOKEN(4401, false, "The token is not a well-formed signed JWT."),
    AUTH_ALGORITHM_REJECTED(4401, false, "The token is signed with an algorithm that is not accepted; use RS256 or ES256."),
    AUTH_INVALID_SIGNATURE(4401, false, "The token signature does not verify."),
    AUTH_WRONG_ISSUER(4401, false, "The token was not issued by a trusted issuer."),
    AUTH_WRONG_AUDIENCE(4401, false, "The token is not meant for this service."),
    AUTH_EXPIRED(4401, false, "The token has expired; get a new one and reconnect."),
    AUTH_NOT_YET_VALID(4401, false, "The token is not valid yet."),
    AUTH_NO_USER_ID(4401, false, "The token names no user (upn, preferred_username or sub)."),
    AUTH_INVALID_USER_ID(4401, false, "The token's user id is not acceptable."),
    AUTH_KEYS_UNAVAILABLE(CloseCodes.TRY_AGAIN_LATER.getCode(), true, "Tokens cannot be checked right now; retry later."),
    FORBIDDEN(4403, false, "You are not allowed to open this connection."),
    TOO_MANY_CONNECTIONS(4429, true, "You have too many open connections; close one and retry."),
    RATE_LIMITED(0, true, "Too many requests; slow down."),
    TOO_MANY_REQUESTS(4429, true, "Too many requests for too long; reconnect later and slow down."),
    TOO_MANY_INVALID_FRAMES(CloseCodes.VIOLATED_POLICY.getCode(), false, "Too many invalid frames on this connection."),
    IDLE_TIMEOUT(4408, true, "The connection did not answer heartbeats; reconnect and resume."),
    REFRESH_REJECTED(0, false, "The new token was not accepted; the session keeps its current expiry."),
    SERVER_BUSY(CloseCodes.TRY_AGAIN_LATER.getCode(), true, "The server is at capacity; retry later."),
    FRAME_TOO_LARGE(CloseCodes.TOO_BIG.getCode(), false, "The frame is larger than the server accepts."),
    UNSUPPORTED_DATA(CloseCodes.CANNOT_ACCEPT.getCode(), false, "Only text frames carrying JSON are accepted."),
    SLOW_CONSUMER(CloseCodes.VIOLATED_POLICY.getCode(), true, "The connection did not read its frames fast enough."),
    THREAD_NOT_FOUND(0, false, "There is no such thread among yours."),
    RUN_NOT_FOUND(0, false, "There is no such run going among yours."),
    STORAGE_UNAVAILABLE(0, true, "Your message could not be stored right now and was not sent; retry shortly."),
    INVALID_FRAME(0, false, "The frame could not be understood."),
    VALIDATION_FAILED(0, false, "The frame has invalid fields."),
    AGENT_UNAVAILABLE(0, true, "The agent cannot take this request now; retry later."),
    AGENT_FAILED(0, true, "The agent failed while answering; try again."),
    AGENT_OUTPUT_TOO_LARGE(0, false, "The agent's output passed the size this server stores; ask for something shorter."),
    RUN_INTERRUPTED(0, true, "The server stopped during this run; send your message again."),
    INTERRUPT_NOT_FOUND(0, false, "There is no such interrupt among yours."),
    INTERRUPT_EXPIRED(0, false, "This interrupt expired; its tool call will not run."),
    INTERRUPT_ANSWERED(0, false, "This interrupt was answered otherwise before; that answer stands."),
    APPROVAL_PENDING(0, false, "A tool call in this thread waits for your approval; approve or reject it first."),
    SERVER_SHUTDOWN(CloseCodes.GOING_AWAY.getCode(), true, "The server is shutting down; reconnect shortly."),
    INTERNAL_ERROR(CloseCodes.UNEXPECTED_CONDITION.getCode(), true, "Something went wrong on our side. Quote the correlation id when you report it.");

    private final int closeCode;
    private final boolean retryable;
    private final String message;

    ErrorCode(int closeCode, boolean retryable, String message) {
        this.closeCode = closeCode;
        this.retryable = retryable;
        this.message = message;
    }

    /** The close code that follows the error frame, or empty when the connection stays open. */
    public Optional<CloseCode> closeCode() {
        return closeCode == 0 ? Optional.empty() : Optional.of(CloseCodes.getCloseCode(closeCode));
    }

    public boolean retryable() {
        return retryable;
    }

    /** A message meant for a person; safe to show, never derived from an exception. */
    public String message() {
        return message;
    }

    /** Whether the peer gets an error frame before the close: not when it reads nothing (slow, idle). */
    public boolean sendsFrame() {
        return this != SLOW_CONSUMER && this != IDLE_TIMEOUT;
    }

    public boolean isBug() {
        return this == INTERNAL_ERROR;
    }
}
