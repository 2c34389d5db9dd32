package dev.agentwire.approvals.control;

import dev.agentwire.approvals.entity.ToolApproval;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.interceptor.Interceptor;
import jakarta.transaction.Transactional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Test-only: the approvals, pausing at the two places a crash must be survived, so that a test can
 * kill the server there: just before an approved call's step to executing (the call has not
 * started), and just before its result is recorded (the call has run, the interrupt is executing).
 * Off unless the server's system property {@code agentwire.test.dawdle} says: {@code marked}, a
 * minute at the first place for calls whose arguments contain {@link #BEFORE} and at the second
 * for {@link #DURING}; {@code random}, up to {@code agentwire.test.dawdle-ms} (default 200) at
 * both, for every call. And in {@code marked} mode a call whose arguments contain {@link #FAIL_ONCE}
 * finds the database failing at its step to executing, the first time: its run ends before the
 * call starts, as when the database is lost for a moment.
 */
@Alternative
@Priority(Interceptor.Priority.APPLICATION + 100)
@ApplicationScoped
public class DawdlingApprovals extends Approvals {

    public static final String BEFORE = "dawdle before the call";
    public static final String DURING = "dawdle during the call";
    public static final String FAIL_ONCE = "fail once before the call";

    private final java.util.Set<String> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    @Override
    @Transactional
    public boolean startExecution(String interruptId) {
        if (marked(interruptId, FAIL_ONCE) && failed.add(interruptId)) {
            throw new jakarta.persistence.PersistenceException("the database is gone for a moment");
        }
        dawdle(interruptId, BEFORE);
        return super.startExecution(interruptId);
    }

    @Override
    @Transactional
    public void executed(String interruptId, String result) {
        dawdle(interruptId, DURING);
        super.executed(interruptId, result);
    }

    private boolean marked(String interruptId, String marker) {
        if (!"marked".equals(System.getProperty("agentwire.test.dawdle"))) {
            return false;
        }
        ToolApproval approval = em.find(ToolApproval.class, interruptId);
        return approval != null && approval.finalArguments() != null && approval.finalArguments().contains(marker);
    }

    private void dawdle(String interruptId, String marker) {
        String mode = System.getProperty("agentwire.test.dawdle", "");
        long millis = switch (mode) {
            case "marked" -> marked(interruptId, marker) ? 60_000 : 0;
            case "random" -> ThreadLocalRandom.current().nextLong(Long.getLong("agentwire.test.dawdle-ms", 200) + 1);
            default -> 0;
        };
        try {
            Thread.sleep(millis);
        } catch (InterruptedException cancelled) {
            // a cancel's interrupt ends the pause only: the run sees its cancel at its next event
        }
    }
}
