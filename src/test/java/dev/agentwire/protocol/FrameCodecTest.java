package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    final FrameCodec codec = new FrameCodec();

    @Test
    void decodesChatWithSnakeCaseFieldsInAnyOrder() {
        var frame = codec.decode("{\"text\":\"hi\",\"client_msg_id\":\"m1\",\"type\":\"chat\",\"thread_id\":\"t1\"}");
        var chat = assertInstanceOf(ClientFrame.Chat.class, frame);
        assertEquals("hi", chat.text());
        assertEquals("t1", chat.threadId());
        assertEquals("m1", chat.clientMsgId());
    }

    @Test
    void decodesPingAndIgnoresUnknownFields() {
        assertInstanceOf(ClientFrame.Ping.class, codec.decode("{\"type\":\"ping\",\"extra\":1}"));
    }

    @Test
    void explainsEveryKindOfBadFrame() {
        assertEquals("The frame is not valid JSON.", refusal("{not json"));
        assertEquals("The frame must be a JSON object.", refusal("[1,2]"));
        assertEquals("The frame needs a string field \"type\".", refusal("{\"text\":\"hi\"}"));
        assertTrue(refusal("{\"type\":\"launch\"}").startsWith("Unknown frame type"));
        assertTrue(refusal("{\"type\":\"chat\",\"text\":{\"a\":1}}").contains("wrong JSON type"));
        assertEquals("The frame must be a JSON object.", refusal("null"));
        assertEquals("The frame holds a number out of range.", refusal("{\"type\":\"resume\",\"after_seq\":1e99999999999}"));
        assertTrue(refusal("{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":1e400}").contains("wrong JSON type"));
    }

    @Test
    void deepNestingAnywhereIsARefusalNotAnInternalError() {
        int depth = 30_000; // about 60 KiB, within the frame limit
        String deep = "[".repeat(depth) + "]".repeat(depth);
        String deepObject = "{\"a\":".repeat(depth / 5) + "1" + "}".repeat(depth / 5);
        for (String frame : List.of(deep, "[".repeat(depth),
                "{\"type\":\"chat\",\"text\":" + deep + "}",
                "{\"type\":\"chat\",\"text\":\"hi\",\"extra\":" + deep + "}",
                "{\"type\":\"ping\",\"extra\":" + deepObject + "}",
                "{\"type\":" + deep + "}",
                "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":" + deep + "}")) {
            assertEquals("The frame is nested too deeply.", refusal(frame), () -> frame.substring(0, 40));
        }
    }

    @Test
    void longNumbersInEveryFieldAreRefusalsNotInternalErrors() {
        for (int digits : new int[] {1_100, 1_101, 60_000}) {
            String number = "9".repeat(digits);
            for (String template : List.of(
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":%s}",
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":0.%s}",
                    "{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":-%se5}",
                    "{\"type\":\"chat\",\"text\":%s}",
                    "{\"type\":\"chat\",\"text\":\"hi\",\"thread_id\":%s,\"client_msg_id\":%<s}",
                    "{\"type\":\"cancel\",\"run_id\":%s}",
                    "{\"type\":\"refresh\",\"token\":%s}",
                    "{\"type\":\"ping\",\"extra\":[%s]}",
                    "{\"type\":%s}",
                    "[%s]",
                    "%s")) {
                String frame = String.format(template, number);
                try {
                    codec.decode(frame); // a number where a string is expected is taken as its text
                    assertTrue(digits <= 1_100, () -> digits + " digits decoded in " + template);
                } catch (GatewayException e) {
                    assertEquals(ErrorCode.INVALID_FRAME, e.code());
                }
            }
        }
        assertEquals("The frame holds a number out of range.",
                refusal("{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":" + "9".repeat(60_000) + "}"));
        assertEquals("The frame holds a number out of range.", refusal("{\"type\":\"ping\",\"extra\":" + "9".repeat(1_101) + "}"));
        assertTrue(refusal("{\"type\":\"resume\",\"thread_id\":\"t\",\"after_seq\":1e100001}").contains("wrong JSON type"));
    }

    @Test
    void aLongNumberInAnIgnoredFieldWithinTheParsersLimitIsIgnored() {
        assertInstanceOf(ClientFrame.Ping.class, codec.decode("{\"type\":\"ping\",\"extra\":" + "9".repeat(1_100) + "}"));
    }

    @Test
    void encodesTypeFirstAndSnakeCase() {
        String json = codec.encode(new ServerFrame.Ready("c1", "u", 65536, Instant.parse("2026-01-02T03:04:05Z")));
        JsonObject object = Json.createReader(new StringReader(json)).readObject();
        assertEquals("ready", object.getString("type"));
        assertEquals("c1", object.getString("connection_id"));
        assertEquals("u", object.getString("user_id"));
        assertTrue(json.startsWith("{\"type\":\"ready\""), json);
    }

    @Test
    void encodesRunEventsWithTimestampAndOmitsNulls() {
        String json = codec.encode(new ServerFrame.ToolExecuting("r1", "t1", 3, Instant.parse("2026-01-02T03:04:05Z"),
                "calculator", Map.of("expression", "1+1")));
        JsonObject object = Json.createReader(new StringReader(json)).readObject();
        assertEquals("tool_executing", object.getString("type"));
        assertEquals(3, object.getInt("seq"));
        assertEquals("2026-01-02T03:04:05Z", object.getString("timestamp"));
        assertEquals("1+1", object.getJsonObject("input").getString("expression"));

        String error = codec.encode(ServerFrame.ErrorFrame.of(ErrorCode.INVALID_FRAME, "bad", "c", List.of()));
        JsonObject errorObject = Json.createReader(new StringReader(error)).readObject();
        assertEquals("INVALID_FRAME", errorObject.getString("code"));
        assertEquals(false, errorObject.containsKey("close_code"));
        assertEquals(false, errorObject.containsKey("problems"));
    }

    private String refusal(String text) {
        var e = assertThrows(GatewayException.class, () -> codec.decode(text));
        assertEquals(ErrorCode.INVALID_FRAME, e.code());
        return e.personMessage();
    }
}
