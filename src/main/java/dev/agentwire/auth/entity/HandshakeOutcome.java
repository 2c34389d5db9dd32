package dev.agentwire.auth.entity;

import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.time.Duration;

/**
 * The result of checking an upgrade request, kept in the session's user properties until the
 * connection opens. Refusals are answered on the open socket, with a frame and a close code,
 * because an HTTP error on the upgrade tells a browser nothing.
 */
public sealed interface HandshakeOutcome {

    long startedNanos();

    /** The user context, or the refusal or bug that prevented it, thrown. */
    UserContext userContext();

    default Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedNanos());
    }

    record Accepted(UserContext context, long startedNanos) implements HandshakeOutcome {
        public UserContext userContext() {
            return context;
        }
    }

    record Refused(ErrorCode code, String message, long startedNanos) implements HandshakeOutcome {
        public UserContext userContext() {
            throw new GatewayException(code, message);
        }
    }

    /** A bug while checking the request; surfaces as an internal error once the socket is open. */
    record Broken(RuntimeException cause, long startedNanos) implements HandshakeOutcome {
        public UserContext userContext() {
            throw cause;
        }
    }
}
