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
 * exception. Every build replays the stored inputs (FrameDecoderFuzzTestInputs: seeds and the
 * crashes found so far); {@code mvn test -Pfuzz} fuzzes for {@code maxDuration}.
 *
 * <p>Frames go up to the frame limit and beyond: libFuzzer mutates inputs up to the size of the
 * largest one in its corpus, so the stored seeds are frames of deep nesting and long numbers, the
 * fuzz profile sets {@code -max_len=65536}, and a value may repeat a piece (a bracket, a digit) up
 * to 16384 times, which reaches the parser's limits on nesting (1000 levels) and on numbers (1100
 * characters).
 */
class FrameDecoderFuzzTest {

    private static final FrameCodec CODEC = new FrameCodec();
    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();
    private static final String[] TYPES = {"chat", "ping", "cancel", "resume", "refresh", "nope"};
    private static final String[] FIELDS = {"text", "thread_id", "client_msg_id", "run_id", "after_seq", "token", "type"};
    /** Pieces a value may repeat many times: nesting, digits, signs, spaces. */
    private static final String[] RUNS = {"[", "{\"a\":", "9", "0.", "-", " "};
    private static final int MAX_FRAME_BYTES = 65_536;

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
            switch (data.consumeInt(0, 5)) {
                case 0 -> json.append('"').append(data.consumeString(40).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                case 1 -> json.append(data.consumeLong());
                case 2 -> json.append(data.consumeBoolean());
                case 3 -> json.append("null");
                case 4 -> json.append(data.pickValue(RUNS).repeat(data.consumeInt(0, MAX_FRAME_BYTES / 4)))
                        .append(data.consumeString(20));
                default -> json.append(data.consumeString(20));
            }
        }
        return json.append(data.consumeBoolean() ? "}" : data.consumeRemainingAsString()).toString();
    }
}
