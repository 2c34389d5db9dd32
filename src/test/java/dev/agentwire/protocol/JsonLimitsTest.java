package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonLimitsTest {

    @Test
    void jsonWithinTheLimitsPasses() {
        String deep = "[".repeat(JsonLimits.MAX_DEPTH - 10) + "]".repeat(JsonLimits.MAX_DEPTH - 10);
        assertEquals(Optional.empty(), JsonLimits.problem("{\"unknown\":" + deep + ",\"n\":" + "9".repeat(JsonLimits.MAX_NUMBER_CHARS) + "}"));
    }

    @Test
    void nestingAnywhereBeyondTheLimitIsRefused() {
        String deep = "[".repeat(500_000) + "]".repeat(500_000);
        assertTrue(JsonLimits.problem("{\"threadId\":\"t\",\"unknown\":" + deep + "}").isPresent());
        assertTrue(JsonLimits.problem("{\"a\":" + "{\"b\":".repeat(JsonLimits.MAX_DEPTH) + "1" + "}".repeat(JsonLimits.MAX_DEPTH) + "}").isPresent());
    }

    @Test
    void aLongNumberAnywhereIsRefused() {
        assertTrue(JsonLimits.problem("{\"unknown\":{\"n\":" + "9".repeat(100_000) + "}}").get().contains("number"));
        assertTrue(JsonLimits.problem("[1e" + "9".repeat(2000) + "]").isPresent());
    }

    @Test
    void textThatIsNotJsonIsRefused() {
        assertTrue(JsonLimits.problem("{\"a\":").isPresent());
        assertTrue(JsonLimits.problem("{\"a\":1}}").isPresent());
        assertTrue(JsonLimits.problem("nope").isPresent());
    }
}
