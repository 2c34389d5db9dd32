package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One set of limits per user, whichever transport asks; forgotten only once unused and disconnected. */
class RateLimitsTest {

    final RateLimits limits = new RateLimits();
    final Owner ann = new Owner("https://issuer.test", "ann");
    final Owner bob = new Owner("https://issuer.test", "bob");

    RateLimitsTest() {
        limits.limits = new UserLimits.Config(1, 2, 3, 4);
    }

    @Test
    void aUserHasOneSetOfLimitsSharedByEveryCaller() {
        assertSame(limits.of(ann), limits.of(ann));
        assertNotSame(limits.of(ann), limits.of(bob));
        limits.of(ann).checkFrame();
        limits.of(ann).checkFrame();
        var refused = assertThrows(GatewayException.class, () -> limits.of(ann).checkFrame());
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
        limits.of(bob).checkFrame(); // bob's own bucket
    }

    @Test
    void limitsAreForgottenOnlyWhenUnusedAndNoConnectionIsOpen() throws InterruptedException {
        limits.of(ann);
        limits.of(bob);
        limits.forgetIdle(Duration.ofMinutes(10), owner -> false);
        assertEquals(2, limits.users(), "used just now");
        Thread.sleep(5);
        limits.forgetIdle(Duration.ofMillis(1), owner -> owner.equals(ann));
        assertEquals(1, limits.users(), "ann is connected: hers are kept");
    }
}
