package dev.agentwire.kernel;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * At most {@code perOwner} things held by one owner and {@code total} in all, each taken and given
 * back whole: the check and the count are one step, so requests that arrive together cannot pass
 * a limit together. For what a node holds open (HTTP requests in flight, AG-UI streams); run slots
 * have an owner of their own (RunSlots), which also counts over a cluster.
 */
public final class Permits {

    /** Which limit refused a permit. */
    public enum Refusal { TOTAL, OWNER }

    /** One permit: {@link #release} gives it back, once; later calls do nothing. */
    public final class Permit {
        private final Owner owner;
        private boolean released;

        private Permit(Owner owner) {
            this.owner = owner;
        }

        public void release() {
            synchronized (Permits.this) {
                if (released) {
                    return;
                }
                released = true;
                held--;
                heldBy.computeIfPresent(owner, (o, count) -> count == 1 ? null : count - 1);
            }
        }
    }

    private final int total;
    private final int perOwner;
    private final Map<Owner, Integer> heldBy = new HashMap<>();
    private int held;

    public Permits(int total, int perOwner) {
        if (total < 1 || perOwner < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        this.total = total;
        this.perOwner = perOwner;
    }

    /** A permit for {@code owner}, or which limit is reached. */
    public synchronized Result acquire(Owner owner) {
        if (held >= total) {
            return new Result(null, Refusal.TOTAL);
        }
        int mine = heldBy.getOrDefault(owner, 0);
        if (mine >= perOwner) {
            return new Result(null, Refusal.OWNER);
        }
        heldBy.put(owner, mine + 1);
        held++;
        return new Result(new Permit(owner), null);
    }

    /** What {@link #acquire} gave: a permit, or the refusal. */
    public record Result(Permit permit, Refusal refusal) {
        public Optional<Permit> granted() {
            return Optional.ofNullable(permit);
        }
    }

    public synchronized int held() {
        return held;
    }

    public synchronized int heldBy(Owner owner) {
        return heldBy.getOrDefault(owner, 0);
    }

    public int total() {
        return total;
    }

    public int perOwner() {
        return perOwner;
    }
}
