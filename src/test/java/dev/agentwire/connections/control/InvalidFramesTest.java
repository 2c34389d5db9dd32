package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A few invalid frames are tolerated in a window; the one after is not, until the window refills. */
class InvalidFramesTest {

    @Test
    void toleratesUpToTheLimitInTheWindow() {
        var invalid = new InvalidFrames(3, Duration.ofMinutes(1));
        assertTrue(invalid.tolerateOne());
        assertTrue(invalid.tolerateOne());
        assertTrue(invalid.tolerateOne());
        assertFalse(invalid.tolerateOne());
    }

    @Test
    void theAllowanceRefillsOverTheWindow() throws InterruptedException {
        var invalid = new InvalidFrames(1, Duration.ofMillis(50));
        assertTrue(invalid.tolerateOne());
        assertFalse(invalid.tolerateOne());
        Thread.sleep(120);
        assertTrue(invalid.tolerateOne());
    }
}
