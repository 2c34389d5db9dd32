package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A 429's wait: seconds or an HTTP date, whole seconds from 1 s to an hour, the fallback when unreadable. */
class RetryAfterTest {

    @Test
    void retryAfterIsReadInSecondsOrAsAnHttpDateAndKeptWithinBounds() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        Duration fallback = Duration.ofSeconds(10);
        assertEquals(Duration.ofSeconds(7), RetryAfter.wait(Optional.of(" 7 "), now, fallback));
        assertEquals(Duration.ofSeconds(1), RetryAfter.wait(Optional.of("0"), now, fallback), "at least one second");
        assertEquals(Duration.ofHours(1), RetryAfter.wait(Optional.of("999999"), now, fallback), "at most an hour");
        assertEquals(Duration.ofSeconds(31), RetryAfter.wait(Optional.of("Tue, 01 Dec 2026 10:00:30 GMT"),
                now.minusMillis(500), fallback), "an HTTP date, rounded up");
        assertEquals(Duration.ofSeconds(1), RetryAfter.wait(Optional.of("Tue, 01 Dec 2026 09:00:00 GMT"), now, fallback),
                "a date in the past");
        assertEquals(fallback, RetryAfter.wait(Optional.empty(), now, fallback));
        assertEquals(fallback, RetryAfter.wait(Optional.of("soon"), now, fallback));
        assertEquals(fallback, RetryAfter.wait(Optional.of("-5"), now, fallback));
    }

    @Test
    void aFallbackOutsideTheBoundsIsKeptWithinThem() {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");
        assertEquals(Duration.ofSeconds(1), RetryAfter.wait(Optional.empty(), now, Duration.ZERO));
        assertEquals(RetryAfter.MAX, RetryAfter.wait(Optional.empty(), now, Duration.ofDays(2)));
    }
}
