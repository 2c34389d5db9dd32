package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

    @Test
    void aValueBelowOneNamesItsKey() {
        var refused = assertThrows(IllegalStateException.class, () -> new ConnectionSettings(5, 100, 16, 0, 1000,
                Duration.ofSeconds(25), Duration.ofSeconds(75), Duration.ofSeconds(10), 20, 40, 20, 30, 3, Duration.ofMinutes(1)));
        assertTrue(refused.getMessage().contains("agentwire.outbox.max-bytes"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> new ConnectionSettings(5, 100, 16, 10, 1000,
                Duration.ZERO, Duration.ofSeconds(75), Duration.ofSeconds(10), 20, 40, 20, 30, 3, Duration.ofMinutes(1)));
    }

    @Test
    void limitsComeFromTheRateSettings() {
        var settings = new ConnectionSettings(5, 100, 16, 10, 1000, Duration.ofSeconds(25), Duration.ofSeconds(75),
                Duration.ofSeconds(10), 20, 40, 21, 30, 3, Duration.ofMinutes(1));
        assertEquals(new UserLimits.Config(20, 40, 21, 30), settings.limits());
    }
}
