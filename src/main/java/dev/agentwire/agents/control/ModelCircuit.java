package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The one MicroProfile Fault Tolerance circuit breaker and timeout in front of the model server.
 * Every exchange with it passes through {@link #call}: the streamed chat completions and the
 * probe that the model client sends while the circuit is open. Sharing one breaker is what lets
 * the probe close it: a breaker belongs to one annotated method, and MicroProfile offers no other
 * way to reset it.
 *
 * <p>The window is a gateway's: the circuit opens when at least half of the last 20 calls failed
 * (a timeout, a dropped connection, an HTTP error), so a few failures among many streams do not
 * cut every user off. A 429 ({@link RateLimitedException}) and a cancelled run are
 * not failures. After {@code delay} the breaker lets calls through again (half-open); the first
 * success closes it. Every parameter can be overridden through MicroProfile Config, for example
 * {@code dev.agentwire.agents.control.ModelCircuit/call/CircuitBreaker/requestVolumeThreshold}
 * (docs/configuration.md).
 */
@ApplicationScoped
public class ModelCircuit {

    /** One exchange with the model server, run on the caller's thread. */
    @FunctionalInterface
    public interface Exchange<T> {
        T run() throws IOException;
    }

    @Timeout(value = 60_000)
    @CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 30_000, successThreshold = 1,
            skipOn = {RunEvents.RunCancelledException.class, RateLimitedException.class})
    public <T> T call(Exchange<T> exchange) throws IOException {
        return exchange.run();
    }
}
