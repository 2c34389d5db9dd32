package dev.agentwire.agui.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.agents.control.ApprovalRuns;
import dev.agentwire.approvals.entity.Decision;
import dev.agentwire.protocol.GatewayException;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class AguiResumeTest {

    private static ApprovalRuns.Answer answer(String status, JsonValue payload) {
        return AguiResume.of(List.of(new RunAgentInput.ResumeEntry("int-1", status, payload, null)), "run-2").orElseThrow();
    }

    @Test
    void noEntriesAreNoAnswer() {
        assertTrue(AguiResume.of(null, "run-2").isEmpty());
        assertTrue(AguiResume.of(List.of(), "run-2").isEmpty());
    }

    @Test
    void resolvedApprovesWithOrWithoutEditedArguments() {
        ApprovalRuns.Answer plain = answer("resolved", null);
        assertEquals(Decision.APPROVED, plain.decision());
        assertNull(plain.editedArguments());
        assertEquals("run-2", plain.runId());
        ApprovalRuns.Answer edited = answer("resolved", Json.createObjectBuilder()
                .add("editedArgs", Json.createObjectBuilder().add("text", "tea")).build());
        assertEquals(Decision.APPROVED, edited.decision());
        assertEquals(Json.createObjectBuilder().add("text", "tea").build(), edited.editedArguments());
        assertEquals("resume[0].payload.editedArgs", edited.field());
    }

    @Test
    void cancelledOrApprovedFalseRejectsWithTheReason() {
        ApprovalRuns.Answer cancelled = answer("cancelled", Json.createObjectBuilder().add("reason", "no").build());
        assertEquals(Decision.REJECTED, cancelled.decision());
        assertEquals("no", cancelled.reason());
        ApprovalRuns.Answer declined = answer("resolved", Json.createObjectBuilder().add("approved", false).build());
        assertEquals(Decision.REJECTED, declined.decision());
        assertNull(declined.reason());
    }

    @Test
    void malformedPayloadsAndSeveralEntriesAreValidationErrors() {
        GatewayException notAnObject = assertThrows(GatewayException.class,
                () -> answer("resolved", Json.createObjectBuilder().add("editedArgs", "text").build()));
        assertEquals("resume[0].payload.editedArgs", notAnObject.problems().get(0).field());
        GatewayException longReason = assertThrows(GatewayException.class,
                () -> answer("cancelled", Json.createObjectBuilder().add("reason", "x".repeat(2001)).build()));
        assertEquals("resume[0].payload.reason", longReason.problems().get(0).field());
        GatewayException nul = assertThrows(GatewayException.class,
                () -> answer("cancelled", Json.createObjectBuilder().add("reason", "a\u0000b").build()));
        assertEquals("resume[0].payload.reason", nul.problems().get(0).field());
        var entry = new RunAgentInput.ResumeEntry("int-1", "resolved", null, null);
        GatewayException two = assertThrows(GatewayException.class, () -> AguiResume.of(List.of(entry, entry), "run-2"));
        assertEquals("resume", two.problems().get(0).field());
    }
}
