package dev.agentwire.approvals.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApprovalStateTest {

    @Test
    void anInterruptOnlyMovesForwardOneStepAtATime() {
        List<String> allowed = new ArrayList<>();
        for (ApprovalState from : ApprovalState.values()) {
            for (ApprovalState to : ApprovalState.values()) {
                if (from.canMoveTo(to)) {
                    allowed.add(from + "->" + to);
                }
            }
        }
        assertEquals(List.of("PENDING->RESOLVED", "RESOLVED->EXECUTING", "EXECUTING->EXECUTED",
                "EXECUTING->INTERRUPTED"), allowed);
    }

    @Test
    void theStoredNamesAreThoseOfTheConditionalUpdates() {
        for (ApprovalState state : ApprovalState.values()) {
            assertEquals(state, ApprovalState.ofStored(state.stored()));
        }
        assertEquals("pending", ApprovalState.PENDING.stored());
        assertEquals("executing", ApprovalState.EXECUTING.stored());
        assertEquals("interrupted", ApprovalState.INTERRUPTED.stored());
    }
}
