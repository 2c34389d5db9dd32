package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import org.junit.jupiter.api.Test;

/** Replays per user: at most so many at once, each user counted apart, a finished one gives its place back. */
class ReplayQuotaTest {

    final ReplayQuota quota = new ReplayQuota(2);
    final Owner ann = new Owner("https://issuer.test", "ann");
    final Owner bob = new Owner("https://issuer.test", "bob");

    @Test
    void aUserHasAtMostThePerUserNumberGoing() {
        quota.reserve(ann);
        quota.reserve(ann);
        var refused = assertThrows(GatewayException.class, () -> quota.reserve(ann));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
        assertEquals(2, quota.going(ann), "a refusal takes nothing");
        quota.reserve(bob);
    }

    @Test
    void aReleaseGivesAPlaceBack() {
        quota.reserve(ann);
        quota.reserve(ann);
        quota.release(ann);
        quota.reserve(ann);
        quota.release(ann);
        quota.release(ann);
        assertEquals(0, quota.going(ann));
        quota.release(ann); // nothing going: stays at nothing
        assertEquals(0, quota.going(ann));
    }
}
