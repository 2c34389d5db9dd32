package dev.agentwire.approvals.entity;

import java.util.Set;

/**
 * Where an interrupt is: asked ({@link #PENDING}), answered ({@link #RESOLVED}), its call started
 * ({@link #EXECUTING}), its result stored ({@link #EXECUTED}), or its call stopped in the middle by
 * the end of its process ({@link #INTERRUPTED}: it may or may not have taken effect, and is never
 * run again). It only moves forward, one step at a time, and each step is a conditional update of
 * its row, so two nodes or two answers can never both take the same step. A rejected interrupt
 * stays resolved: there is nothing to run.
 */
public enum ApprovalState {
    PENDING, RESOLVED, EXECUTING, EXECUTED, INTERRUPTED;

    /** The states this one may move to, none from the last ones. */
    public Set<ApprovalState> next() {
        return switch (this) {
            case PENDING -> Set.of(RESOLVED);
            case RESOLVED -> Set.of(EXECUTING);
            case EXECUTING -> Set.of(EXECUTED, INTERRUPTED);
            case EXECUTED, INTERRUPTED -> Set.of();
        };
    }

    public boolean canMoveTo(ApprovalState target) {
        return next().contains(target);
    }

    /** As stored in tool_approval.state. */
    public String stored() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ApprovalState ofStored(String stored) {
        return valueOf(stored.toUpperCase(java.util.Locale.ROOT));
    }
}
