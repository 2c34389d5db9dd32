package dev.agentwire.approvals.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ApprovalPolicyTest {

    private static final String KEY = "agentwire.approvals.tool.save_note";

    @Test
    void unsetIsTheToolsOwnDefault() {
        assertTrue(ApprovalPolicy.decide(KEY, Optional.empty(), true));
        assertFalse(ApprovalPolicy.decide(KEY, Optional.empty(), false));
        assertTrue(ApprovalPolicy.decide(KEY, Optional.of("  "), true));
    }

    @Test
    void alwaysAndNeverDecideWhateverTheDefault() {
        assertTrue(ApprovalPolicy.decide(KEY, Optional.of("always"), false));
        assertFalse(ApprovalPolicy.decide(KEY, Optional.of(" NEVER "), true));
    }

    @Test
    void anythingElseNamesTheKey() {
        var refused = assertThrows(IllegalStateException.class, () -> ApprovalPolicy.decide(KEY, Optional.of("sometimes"), true));
        assertEquals(KEY + " must be always or never, but is sometimes", refused.getMessage());
    }
}
