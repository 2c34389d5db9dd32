package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.agents.control.ModelBackendStatus.Outcome;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backend's state as calls and probes saw it: open from a refused call until one gets through. */
class ModelBackendStatusTest {

    final ModelBackendStatus status = new ModelBackendStatus();
    final Instant t0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void startsClosedWithNoCall() {
        assertEquals(Map.of("circuit", "closed", "last_call", "none"), status.healthData());
    }

    @Test
    void aRefusedCallOpensItAndOnlyACallThatGetsThroughClosesIt() {
        status.record(Outcome.FAILED, t0);
        assertFalse(status.circuitOpen(), "one failure says nothing about the breaker");
        status.record(Outcome.REFUSED, t0.plusSeconds(1));
        assertTrue(status.circuitOpen());
        status.record(Outcome.FAILED, t0.plusSeconds(2)); // a half-open trial that failed: the breaker opened again
        assertTrue(status.circuitOpen());
        status.record(Outcome.SUCCEEDED, t0.plusSeconds(3));
        assertEquals(Map.of("circuit", "closed", "last_call", "succeeded",
                "last_success", "2026-12-01T10:00:03Z", "last_failure", "2026-12-01T10:00:02Z"), status.healthData());
    }

    @Test
    void aRateLimitedCallGotThroughAndIsNoFailure() {
        status.record(Outcome.REFUSED, t0);
        status.record(Outcome.RATE_LIMITED, t0.plusSeconds(1));
        assertEquals(Map.of("circuit", "closed", "last_call", "rate_limited"), status.healthData());
        assertFalse(Outcome.RATE_LIMITED.callsForProbe());
        assertTrue(Outcome.TIMED_OUT.callsForProbe());
    }
}
