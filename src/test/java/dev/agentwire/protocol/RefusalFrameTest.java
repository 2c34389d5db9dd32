package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An error frame names the chat or the answer it refuses, by a well-formed id only. */
class RefusalFrameTest {

    final FrameCodec codec = new FrameCodec();
    final ServerFrame.ErrorFrame limited = ServerFrame.ErrorFrame.of(ErrorCode.RATE_LIMITED, "Too many runs.", "c1", List.of());

    @Test
    void aRefusedChatNamesItsClientMsgId() {
        JsonObject frame = encode(limited.refusing(new ClientFrame.Chat("hi", null, "msg-1")));
        assertEquals("msg-1", frame.getString("client_msg_id"));
        assertFalse(frame.containsKey("interrupt_id"));
        assertEquals("RATE_LIMITED", frame.getString("code"));
        assertEquals("c1", frame.getString("correlation_id"));
    }

    @Test
    void aRefusedAnswerNamesItsInterruptId() {
        assertEquals("i-1", encode(limited.refusing(new ClientFrame.Approve("i-1", null))).getString("interrupt_id"));
        JsonObject rejected = encode(limited.refusing(new ClientFrame.Reject("i-2", "no")));
        assertEquals("i-2", rejected.getString("interrupt_id"));
        assertFalse(rejected.containsKey("client_msg_id"));
    }

    @Test
    void idsThatBreakTheirRulesAndOtherFramesNameNothing() {
        for (ClientFrame refused : List.<ClientFrame>of(new ClientFrame.Chat("hi", null, "has spaces"),
                new ClientFrame.Chat("hi", null, "x".repeat(65)), new ClientFrame.Chat("hi", null, null),
                new ClientFrame.Approve("<script>", null), new ClientFrame.Cancel("r1"), new ClientFrame.Ping())) {
            JsonObject frame = encode(limited.refusing(refused));
            assertFalse(frame.containsKey("client_msg_id") || frame.containsKey("interrupt_id"), refused + " gave " + frame);
        }
    }

    @Test
    void aReconnectWaitKeepsTheNamedRequest() {
        ServerFrame.ErrorFrame named = limited.refusing(new ClientFrame.Chat("hi", null, "msg-1")).reconnectingAfter(Duration.ofSeconds(2));
        assertEquals("msg-1", named.clientMsgId());
        assertEquals(2000L, named.reconnectAfterMs());
    }

    private JsonObject encode(ServerFrame frame) {
        return Json.createReader(new StringReader(codec.encode(frame))).readObject();
    }
}
