package dev.agentwire.agui.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.protocol.GatewayException;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.util.List;
import org.junit.jupiter.api.Test;

class AguiChatTest {

    static RunAgentInput.Message message(String id, String role, JsonValue content, String toolCallId) {
        return new RunAgentInput.Message(id, role, content, toolCallId);
    }

    static RunAgentInput input(RunAgentInput.Message... messages) {
        return new RunAgentInput("thread-0001", "run-00001", List.of(messages),
                List.of(new RunAgentInput.Tool("get_weather", "The weather.", Json.createObjectBuilder().add("type", "object").build())),
                null, null, null, null, null);
    }

    @Test
    void theNewestUserMessageIsTheChatAndItsIdTheClientMessageId() {
        AguiChat chat = AguiChat.of(input(
                message("m-1", "user", Json.createValue("first"), null),
                message("m-2", "user", Json.createArrayBuilder().add(Json.createObjectBuilder().add("type", "text").add("text", "what "))
                        .add(Json.createObjectBuilder().add("type", "text").add("text", "now?")).build(), null),
                message("a-1", "assistant", Json.createValue("partial answer of a lost stream"), null)));
        assertEquals("what now?", chat.chat().message().text());
        assertEquals("m-2", chat.chat().message().clientMsgId());
        assertEquals("run-00001", chat.chat().message().runId());
        assertNull(chat.chat().message().toolCallId());
        assertEquals("get_weather", chat.chat().clientTools().get(0).name());
        assertEquals("{\"type\":\"object\"}", chat.chat().clientTools().get(0).parameters());
        assertEquals("m-2", chat.message().getString("id"));
    }

    @Test
    void aToolResultIsAChatWithItsCall() {
        AguiChat chat = AguiChat.of(input(message("m-1", "user", Json.createValue("weather?"), null),
                message("t-1", "tool", Json.createValue("sunny"), "call_1")));
        assertEquals("call_1", chat.chat().message().toolCallId());
        assertEquals("sunny", chat.chat().message().text());
    }

    @Test
    void whatCannotBeAChatIsRefusedNamingTheField() {
        assertEquals("messages", problemField(input(message("a-1", "assistant", Json.createValue("hi"), null))));
        assertEquals("messages[0].content", problemField(input(message("m-1", "user", Json.createValue(""), null))));
        assertEquals("messages[0].content", problemField(input(message("m-1", "user", Json.createValue("a\u202Eb"), null))));
        assertEquals("messages[0].content", problemField(input(message("m-1", "user", Json.createArrayBuilder()
                .add(Json.createObjectBuilder().add("type", "image").add("url", "x")).build(), null))));
        assertEquals("messages[0].id", problemField(input(message("an id with spaces", "user", Json.createValue("hi"), null))));
        assertEquals("messages[0].toolCallId", problemField(input(message("t-1", "tool", Json.createValue("x"), null))));
        assertEquals("messages[0].toolCallId", problemField(input(message("t-1", "tool", Json.createValue("x"), "call_\u0000x"))));
        assertEquals("messages[0].toolCallId", problemField(input(message("t-1", "tool", Json.createValue("x"), "call_\uD800"))));
    }

    private static String problemField(RunAgentInput input) {
        GatewayException refused = assertThrows(GatewayException.class, () -> AguiChat.of(input));
        return refused.problems().get(0).field();
    }
}
