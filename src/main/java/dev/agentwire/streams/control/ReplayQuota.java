package dev.agentwire.streams.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** How many replays each user has going, at most {@code perUser} at a time (agentwire.resume.per-user-max). */
final class ReplayQuota {

    private final int perUser;
    private final Map<Owner, Integer> going = new ConcurrentHashMap<>(); // changed only inside compute

    ReplayQuota(int perUser) {
        this.perUser = perUser;
    }

    /** Takes one of the owner's replays; throws RATE_LIMITED when all are going. */
    void reserve(Owner owner) {
        boolean[] admitted = new boolean[1];
        going.compute(owner, (id, now) -> {
            int count = now == null ? 0 : now;
            admitted[0] = count < perUser;
            return admitted[0] ? count + 1 : now;
        });
        if (!admitted[0]) {
            throw new GatewayException(ErrorCode.RATE_LIMITED, "You have " + perUser
                    + " resumes going; wait for one to finish.");
        }
    }

    /** Gives back one of the owner's replays. */
    void release(Owner owner) {
        going.computeIfPresent(owner, (id, now) -> now == 1 ? null : now - 1);
    }

    int going(Owner owner) {
        return going.getOrDefault(owner, 0);
    }
}
