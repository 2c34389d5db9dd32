package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.protocol.StorableTextValidator;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.CharBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property checks over random hostile text: lone surrogates, NUL, control characters, astral characters, megabytes. */
class AgentOutputTest {

    static final long SEED = Long.getLong("agentwire.test.seed", System.nanoTime());
    final Random random = new Random(SEED);
    final FrameCodec codec = new FrameCodec();

    @Test
    void storableTextIsValidUtf16WithoutNulAndChangesOnlyTheBadUnits() {
        for (int trial = 0; trial < 2_000; trial++) {
            String hostile = hostile(random.nextInt(trial < 1_990 ? 200 : 1_000_000));
            String clean = AgentOutput.storable(hostile);
            String context = "seed " + SEED + ", trial " + trial;
            assertEquals(hostile.length(), clean.length(), context);
            assertTrue(StorableTextValidator.problemIn(clean).filter(p -> !p.contains("bidirectional")).isEmpty(), context);
            assertTrue(encodesAsUtf8(clean), context);
            for (int i = 0; i < clean.length(); i++) {
                if (clean.charAt(i) != hostile.charAt(i)) {
                    assertEquals(StorableTextValidator.REPLACEMENT, clean.charAt(i), context);
                    char was = hostile.charAt(i);
                    assertTrue(was == '\u0000' || Character.isSurrogate(was), context);
                }
            }
            assertEquals(clean, AgentOutput.storable(clean), "replacing is idempotent; " + context);
        }
    }

    @Test
    void cleanTextIsReturnedAsItIs() {
        String text = "Grüße \uD83D\uDE00 \u200F ok";
        assertSame(text, AgentOutput.storable(text));
        assertEquals(null, AgentOutput.storable((String) null));
        assertEquals("x\uFFFDy", AgentOutput.storable("x\uD800y"));
        assertEquals("\uFFFD\uFFFD", AgentOutput.storable("\uDC00\uD800"));
        assertEquals("a\uFFFD", AgentOutput.storable("a\u0000"));
    }

    @Test
    void storedLengthIsAtLeastWhatTheEncoderWrites() {
        for (int trial = 0; trial < 500; trial++) {
            String text = AgentOutput.storable(hostile(random.nextInt(300)));
            String empty = codec.encode(new ServerFrame.AgentMessageDelta("r", "t", 1, Instant.EPOCH, ""));
            String json = codec.encode(new ServerFrame.AgentMessageDelta("r", "t", 1, Instant.EPOCH, text));
            assertTrue(json.length() - empty.length() <= AgentOutput.storedLength(text), "seed " + SEED + ", trial " + trial);
        }
    }

    @Test
    void piecesFitAnEventJoinToTheTextAndKeepPairsWhole() {
        var output = new AgentOutput(1_000, 1_000);
        for (int trial = 0; trial < 200; trial++) {
            String text = AgentOutput.storable(hostile(random.nextInt(20_000)));
            List<String> pieces = output.pieces(text);
            assertEquals(text, String.join("", pieces));
            for (String piece : pieces) {
                assertTrue(AgentOutput.storedLength(piece) <= 1_000);
                assertFalse(piece.isEmpty() && pieces.size() > 1);
                assertFalse(!piece.isEmpty() && Character.isLowSurrogate(piece.charAt(0)), "a pair is never split");
            }
        }
    }

    @Test
    void jsonStringsAreMadeStorableEscapedNulIncluded() {
        String calls = "[{\"id\":\"call_\\u0000x\",\"function\":{\"name\":\"n\\ud800\",\"arguments\":\"{\\\"a\\\":1}\"}}]";
        assertEquals("[{\"id\":\"call_\uFFFDx\",\"function\":{\"name\":\"n\uFFFD\",\"arguments\":\"{\\\"a\\\":1}\"}}]",
                AgentOutput.storableJson(calls));
    }

    @Test
    void capsOutsideTheirRangeStopTheStart() {
        assertThrows(IllegalStateException.class, () -> new AgentOutput(999, 1_000));
        assertThrows(IllegalStateException.class, () -> new AgentOutput(1_000, 900_001));
    }

    /** Random UTF-16 units weighted towards trouble: lone halves of pairs, NUL, controls, quotes, astral pairs. */
    String hostile(int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            switch (random.nextInt(8)) {
                case 0 -> text.append((char) (0xD800 + random.nextInt(0x800)));
                case 1 -> text.append('\u0000');
                case 2 -> text.append((char) random.nextInt(0x20));
                case 3 -> text.append(random.nextBoolean() ? '"' : '\\');
                case 4 -> text.appendCodePoint(0x10000 + random.nextInt(0xFFFFF));
                default -> text.append((char) random.nextInt(0x10000));
            }
        }
        return text.toString();
    }

    static boolean encodesAsUtf8(String text) {
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
