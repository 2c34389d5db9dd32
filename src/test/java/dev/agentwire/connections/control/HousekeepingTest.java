package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentwire.operations.GatewayMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A periodic task that throws is never run again: nothing a pass meets may escape it. */
class HousekeepingTest {

    @Test
    void anErrorInAPassIsCountedAndTheTaskLivesOn() {
        var internalErrors = new AtomicInteger();
        var housekeeping = new Housekeeping();
        housekeeping.hub = new ConnectionHub() {
            @Override
            public List<Connection> connections() {
                throw new StackOverflowError("a bug deep in a pass");
            }
        };
        housekeeping.metrics = new GatewayMetrics() {
            @Override
            public void internalError() {
                internalErrors.incrementAndGet();
            }
        };
        housekeeping.settings = new ConnectionSettings(5, 100, 16, 1000, 1000, Duration.ofSeconds(25),
                Duration.ofSeconds(75), Duration.ofSeconds(10), 20, 40, 20, 30, 3, Duration.ofMinutes(1));
        assertDoesNotThrow(housekeeping::passSafely);
        assertDoesNotThrow(housekeeping::passSafely);
        assertEquals(2, internalErrors.get());
    }
}
