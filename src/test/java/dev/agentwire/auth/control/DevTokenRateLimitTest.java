package dev.agentwire.auth.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DevTokenRateLimitTest {

    private final DevTokenRateLimit limit = new DevTokenRateLimit();

    DevTokenRateLimitTest() {
        limit.tokensPerMinute = 3;
        limit.check();
    }

    @Test
    void anAddressGetsItsTokensPerMinuteThenAWait() {
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), limit.refusal("127.0.0.1"), "token " + (i + 1));
        }
        Duration wait = limit.refusal("127.0.0.1").orElseThrow();
        assertTrue(wait.compareTo(Duration.ZERO) > 0 && wait.compareTo(Duration.ofSeconds(20)) <= 0, wait.toString());
    }

    @Test
    void addressesHaveTheirOwnLimits() {
        for (int i = 0; i < 3; i++) {
            limit.refusal("127.0.0.1");
        }
        assertEquals(Optional.empty(), limit.refusal("127.0.0.2"));
    }

    @Test
    void aFloodOfAddressesIsRefusedRatherThanForgotten() {
        for (int i = 0; i < DevTokenRateLimit.MAX_ADDRESSES; i++) {
            assertEquals(Optional.empty(), limit.refusal("10.0." + (i / 256) + "." + (i % 256)));
        }
        assertTrue(limit.refusal("10.99.0.1").isPresent(), "no room for another busy address");
        assertTrue(limit.refusal("10.0.0.0").isEmpty(), "the known ones keep their buckets");
    }
}
