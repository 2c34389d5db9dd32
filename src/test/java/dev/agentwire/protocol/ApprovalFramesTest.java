package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The approve and reject frames in, the approval events and the answered frame out. */
class ApprovalFramesTest {

    static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();
    final FrameCodec codec = new FrameCodec();

    private List<String> problems(String json) {
        return VALIDATOR.validate(codec.decode(json)).stream().map(ConstraintViolation::getMessage).sorted().toList();
    }

    @Test
    void anApproveCarriesTheEditedArgumentsAsTheyWereSent() {
        var approve = assertInstanceOf(ClientFrame.Approve.class,
                codec.decode("{\"type\":\"approve\",\"interrupt_id\":\"i-1\",\"arguments\":{\"text\":\"tea\",\"n\":[1,2]}}"));
        assertEquals("i-1", approve.interruptId());
        assertEquals(Json.createObjectBuilder().add("text", "tea").add("n", Json.createArrayBuilder().add(1).add(2)).build(),
                approve.arguments());
        assertNull(assertInstanceOf(ClientFrame.Approve.class, codec.decode("{\"type\":\"approve\",\"interrupt_id\":\"i-1\"}"))
                .arguments());
    }

    @Test
    void idsThatAreNotIdsAndReasonsThatCannotBeStoredAreViolations() {
        assertEquals(List.of("interrupt_id may contain only letters, digits and . _ : -"),
                problems("{\"type\":\"approve\",\"interrupt_id\":\"../x\"}"));
        assertEquals(List.of("interrupt_id must not be empty"), problems("{\"type\":\"reject\"}"));
        assertEquals(List.of("interrupt_id must be at most 64 characters"),
                problems("{\"type\":\"reject\",\"interrupt_id\":\"" + "a".repeat(65) + "\"}"));
        assertEquals(List.of("reason must be at most 2000 characters"),
                problems("{\"type\":\"reject\",\"interrupt_id\":\"i\",\"reason\":\"" + "a".repeat(2001) + "\"}"));
        List<String> bidi = problems("{\"type\":\"reject\",\"interrupt_id\":\"i\",\"reason\":\"a\\u202eb\"}");
        assertEquals(1, bidi.size());
        assertTrue(bidi.get(0).startsWith("reason must not contain bidirectional"), bidi::toString);
    }

    @Test
    void argumentsThatAreNotAnObjectAreAnInvalidFrame() {
        GatewayException refused = assertThrows(GatewayException.class,
                () -> codec.decode("{\"type\":\"approve\",\"interrupt_id\":\"i\",\"arguments\":\"text\"}"));
        assertEquals(ErrorCode.INVALID_FRAME, refused.code());
    }

    @Test
    void theApprovalEventsAndTheAnswerAreSnakeCaseWithTheirType() {
        Instant at = Instant.parse("2026-12-04T10:00:00Z");
        String requested = codec.encode(new ServerFrame.ApprovalRequested("r", "t", 3, at, "i", "c", "save_note",
                Json.createObjectBuilder().add("text", "tea").build(), "sha256:00", "Save a note: tea", at, true));
        assertEquals("{\"arguments\":{\"text\":\"tea\"},\"editable\":true,\"expires_at\":\"2026-12-04T10:00:00Z\","
                + "\"fingerprint\":\"sha256:00\",\"interrupt_id\":\"i\",\"message\":\"Save a note: tea\",\"run_id\":\"r\","
                + "\"seq\":3,\"thread_id\":\"t\",\"timestamp\":\"2026-12-04T10:00:00Z\",\"tool\":\"save_note\",\"tool_call_id\":\"c\","
                + "\"type\":\"approval_requested\"}", sorted(requested));
        String answered = codec.encode(new ServerFrame.Answered("i", "t", "approved", "r2", false));
        assertEquals("{\"decision\":\"approved\",\"duplicate\":false,\"interrupt_id\":\"i\",\"run_id\":\"r2\",\"thread_id\":\"t\","
                + "\"type\":\"answered\"}", sorted(answered));
    }

    private static String sorted(String json) {
        var object = Json.createReader(new java.io.StringReader(json)).readObject();
        var builder = Json.createObjectBuilder();
        new java.util.TreeMap<>(object).forEach(builder::add);
        return builder.build().toString();
    }
}
