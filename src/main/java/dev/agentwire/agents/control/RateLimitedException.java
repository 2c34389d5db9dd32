package dev.agentwire.agents.control;

import java.time.Duration;

/**
 * The model backend answered 429: it is alive but wants fewer requests. Not a circuit-breaker
 * failure, so one busy moment does not cut every user off; the run tells its client to wait.
 */
public class RateLimitedException extends ModelException {

    private final Duration retryAfter;

    public RateLimitedException(Duration retryAfter) {
        super("the model backend answered HTTP 429, retry after " + retryAfter.toSeconds() + " s");
        this.retryAfter = retryAfter;
    }

    /** Whole seconds, from 1 s to an hour. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
