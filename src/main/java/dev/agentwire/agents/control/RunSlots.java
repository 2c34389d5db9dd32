package dev.agentwire.agents.control;

import dev.agentwire.cluster.control.Peers;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Counts the runs going: at most {@code agentwire.runs.per-user-max} per user and
 * {@code agentwire.runs.max} on the node, so neither one user nor all of them together can queue
 * unbounded work. In cluster mode the per-user count is over every node, in the grid. A run holds
 * its slot from before its message is stored until just before its closing event;
 * {@link Slot#release} is the only place a count goes down.
 */
@ApplicationScoped
public class RunSlots {

    static final String RUNS = "runs";

    @Inject
    @ConfigProperty(name = "agentwire.runs.per-user-max", defaultValue = "2")
    int perUserMax;

    @Inject
    @ConfigProperty(name = "agentwire.runs.max", defaultValue = "1024")
    int max;

    @Inject
    Peers peers;

    private final Map<Owner, Integer> perUser = new ConcurrentHashMap<>(); // changed only inside compute
    private final AtomicInteger going = new AtomicInteger();

    /** A reserved place for one run; release it once, however the run ends or if it never starts. */
    public final class Slot {
        private final Owner owner;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(Owner owner) {
            this.owner = owner;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                perUser.computeIfPresent(owner, (user, count) -> count == 1 ? null : count - 1);
                going.decrementAndGet();
                peers.give(RUNS, owner);
            }
        }
    }

    @PostConstruct
    void check() {
        if (perUserMax < 1) {
            throw new IllegalStateException("agentwire.runs.per-user-max must be at least 1, but is " + perUserMax);
        }
        if (max < perUserMax) {
            throw new IllegalStateException("agentwire.runs.max must be at least agentwire.runs.per-user-max ("
                    + perUserMax + "), but is " + max);
        }
    }

    /** Reserves a run for the owner, or refuses with RATE_LIMITED when they, or the node, have too many going. */
    public Slot reserve(Owner owner) {
        if (going.incrementAndGet() > max) {
            going.decrementAndGet();
            throw new GatewayException(ErrorCode.RATE_LIMITED, "The server has too many runs going; retry shortly.");
        }
        boolean[] admitted = new boolean[1];
        perUser.compute(owner, (id, count) -> {
            int now = count == null ? 0 : count;
            admitted[0] = now < perUserMax;
            return admitted[0] ? now + 1 : count;
        });
        if (admitted[0] && !peers.take(RUNS, owner, perUserMax)) {
            admitted[0] = false; // the others are going on other nodes
            perUser.computeIfPresent(owner, (user, count) -> count == 1 ? null : count - 1);
        }
        if (!admitted[0]) {
            going.decrementAndGet();
            throw new GatewayException(ErrorCode.RATE_LIMITED, "You already have " + perUserMax
                    + " runs going; wait for one to finish or cancel it.");
        }
        return new Slot(owner);
    }

    /** Runs going on this node now. */
    public int going() {
        return going.get();
    }

    int max() {
        return max;
    }
}
