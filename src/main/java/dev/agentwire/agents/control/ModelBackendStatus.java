package dev.agentwire.agents.control;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What agentwire last saw of the model server, for /health: whether its circuit breaker refuses
 * calls, and how the last call went. Only what calls and probes observed: MicroProfile Fault
 * Tolerance does not expose the breaker's state, so {@code open} runs from a call the breaker
 * refused until a call or a probe gets through again. Thread-safe.
 */
final class ModelBackendStatus {

    /** How one exchange with the model server ended. */
    enum Outcome {
        NONE, SUCCEEDED, FAILED, TIMED_OUT, RATE_LIMITED, REFUSED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the backend may be down: agentwire then probes it until a call gets through. */
        boolean callsForProbe() {
            return this == FAILED || this == TIMED_OUT || this == REFUSED;
        }
    }

    private record Snapshot(boolean circuitOpen, Outcome lastCall, Instant lastSuccess, Instant lastFailure) {
    }

    private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(false, Outcome.NONE, null, null));

    void record(Outcome outcome, Instant at) {
        current.updateAndGet(s -> switch (outcome) {
            // the call went through the breaker: it is not refusing calls (closed, or half-open and letting them by)
            case SUCCEEDED -> new Snapshot(false, outcome, at, s.lastFailure());
            case RATE_LIMITED -> new Snapshot(false, outcome, s.lastSuccess(), s.lastFailure());
            // went through too, but whether the breaker opened behind it is not known; the probe that follows tells
            case FAILED, TIMED_OUT -> new Snapshot(s.circuitOpen(), outcome, s.lastSuccess(), at);
            case REFUSED -> new Snapshot(true, outcome, s.lastSuccess(), s.lastFailure());
            case NONE -> s;
        });
    }

    boolean circuitOpen() {
        return current.get().circuitOpen();
    }

    Outcome lastCall() {
        return current.get().lastCall();
    }

    /** The health check's data: {@code circuit}, {@code last_call}, and when known {@code last_success}, {@code last_failure}. */
    Map<String, Object> healthData() {
        Snapshot s = current.get();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("circuit", s.circuitOpen() ? "open" : "closed");
        data.put("last_call", s.lastCall().label());
        if (s.lastSuccess() != null) {
            data.put("last_success", s.lastSuccess().toString());
        }
        if (s.lastFailure() != null) {
            data.put("last_failure", s.lastFailure().toString());
        }
        return data;
    }
}
