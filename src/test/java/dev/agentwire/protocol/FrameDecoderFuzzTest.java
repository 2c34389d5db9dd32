package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import jakarta.validation.Validation;
import jakarta.validation.Validator;

/**
 * Coverage-guided fuzzing of the frame decoder and the frames' validation (Jazzer). Whatever a
 * client sends, the answer is a frame or the documented INVALID_FRAME refusal, never another
 * exception. The normal build fuzzes for a bounded time (JAZZER_FUZZ=1, see pom.xml); without
 * it, the test replays the stored inputs only.
 */
class FrameDecoderFuzzTest {

    private static final FrameCodec CODEC = new FrameCodec();
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();
    private static final String[] TYPES = {"chat", "ping", "cancel", "resume", "refresh", "nope"};
    private static final String[] FIELDS = {"text", "thread_id", "client_msg_id", "run_id", "after_seq", "token", "type"};

    @FuzzTest(maxDuration = "20s")
    void decodesAnythingIntoAFrameOrADocumentedRefusal(FuzzedDataProvider data) {
        String text = data.consumeBoolean() ? jsonLike(data) : data.consumeRemainingAsString();
        try {
            ClientFrame frame = CODEC.decode(text);
            assertNotNull(frame);
            VALIDATOR.validate(frame).forEach(violation -> assertFalse(violation.getMessage().isBlank()));
        } catch (GatewayException refusal) {
            assertEquals(ErrorCode.INVALID_FRAME, refusal.code());
            assertFalse(refusal.personMessage().contains("Exception"), refusal.personMessage());
        }
    }

    /** Mostly well-formed objects with the protocol's types and fields, so the fuzzer gets past the parser. */
    private static String jsonLike(FuzzedDataProvider data) {
        StringBuilder json = new StringBuilder("{\"type\":\"").append(data.pickValue(TYPES)).append('"');
        int fields = data.consumeInt(0, 4);
        for (int i = 0; i < fields; i++) {
            json.append(",\"").append(data.pickValue(FIELDS)).append("\":");
            switch (data.consumeInt(0, 4)) {
                case 0 -> json.append('"').append(data.consumeString(40).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                case 1 -> json.append(data.consumeLong());
                case 2 -> json.append(data.consumeBoolean());
                case 3 -> json.append("null");
                default -> json.append(data.consumeString(20));
            }
        }
        return json.append(data.consumeBoolean() ? "}" : data.consumeRemainingAsString()).toString();
    }
}
