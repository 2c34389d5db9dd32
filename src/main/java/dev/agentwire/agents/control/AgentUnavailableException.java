package dev.agentwire.agents.control;

import java.time.Duration;
import java.util.Optional;

/**
 * The agent's backend cannot answer now (down, timing out, circuit open, rate limited); the
 * message says so for a person. {@link #retryAfter()} is present when the backend said how long
 * to wait: the run's agent_error then carries it as {@code retry_after}.
 */
public class AgentUnavailableException extends RuntimeException {

    private final Duration retryAfter;

    public AgentUnavailableException(String personMessage, Throwable cause) {
        this(personMessage, cause, null);
    }

    /** {@code retryAfter} in whole seconds, or null when the backend named no wait. */
    public AgentUnavailableException(String personMessage, Throwable cause, Duration retryAfter) {
        super(personMessage, cause);
        if (retryAfter != null && (retryAfter.isNegative() || retryAfter.getNano() != 0)) {
            throw new IllegalArgumentException("retryAfter must be whole, non-negative seconds: " + retryAfter);
        }
        this.retryAfter = retryAfter;
    }

    /** How long the client should wait before retrying, in whole seconds; empty when unknown. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
