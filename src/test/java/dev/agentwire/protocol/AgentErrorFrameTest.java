package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** agent_error carries retry_after, in seconds, only when the backend named a wait. */
class AgentErrorFrameTest {

    final FrameCodec codec = new FrameCodec();
    final Instant at = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void retryAfterIsWrittenInSecondsWhenPresent() {
        JsonObject frame = encode(new ServerFrame.AgentError("r1", "t1", 3, at, "AGENT_UNAVAILABLE",
                "The model backend is busy; retry in 7 s.", true, "c1", 7L));
        assertEquals("agent_error", frame.getString("type"));
        assertEquals(7, frame.getJsonNumber("retry_after").longValue());
        assertEquals("c1", frame.getString("correlation_id"));
    }

    @Test
    void retryAfterIsLeftOutWhenAbsentAndTheOldConstructorStillWorks() {
        JsonObject frame = encode(new ServerFrame.AgentError("r1", "t1", 3, at, "AGENT_FAILED",
                "The agent failed while answering; try again.", true, "c1"));
        assertFalse(frame.containsKey("retry_after"), frame.toString());
        assertEquals("AGENT_FAILED", frame.getString("code"));
    }

    private JsonObject encode(ServerFrame frame) {
        return Json.createReader(new StringReader(codec.encode(frame))).readObject();
    }
}
