package dev.agentwire.auth.entity;

import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.time.Duration;
import java.time.Instant;

/**
 * The result of checking an upgrade request, kept in the session's user properties until the
 * connection opens. Refusals are answered on the open socket, with a frame and a close code,
 * because an HTTP error on the upgrade tells a browser nothing.
 */
public sealed interface HandshakeOutcome {

    /** The key of the outcome in the session's user properties. */
    String USER_PROPERTY = HandshakeOutcome.class.getName();

    long startedNanos();

    /** The accepted handshake, or the refusal or bug that prevented it, thrown. */
    Accepted accepted();

    default Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos());
    }

    /** A verified user; the session may last until the token's expiry. */
    record Accepted(UserContext context, Instant expiresAt, long startedNanos) implements HandshakeOutcome {
        public Accepted accepted() {
            return this;
        }
    }

    record Refused(ErrorCode code, String message, long startedNanos) implements HandshakeOutcome {
        public Accepted accepted() {
            throw new GatewayException(code, message);
        }
    }

    /** A bug while checking the request; surfaces as an internal error once the socket is open. */
    record Broken(RuntimeException cause, long startedNanos) implements HandshakeOutcome {
        public Accepted accepted() {
            throw cause;
        }
    }
}
