package dev.agentwire.agui.control;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a client had seen of a run at its cursor: the messages those AG-UI events made, and which
 * messages and tool calls were still open. A resumed stream begins with both (MESSAGES_SNAPSHOT,
 * then a start event for each open one), so AG-UI's client accepts the events after the cursor as
 * it would have on the first stream. Pure: folds events the way AG-UI's client applies them.
 */
public final class RunTranscript {

    /** A message of the run being built: role, text so far, tool calls so far (id to name and arguments). */
    private static final class Message {
        final String role;
        final StringBuilder content = new StringBuilder();
        final Map<String, String[]> toolCalls = new LinkedHashMap<>();
        String toolCallId;

        Message(String role) {
            this.role = role;
        }
    }

    private final Map<String, Message> messages = new LinkedHashMap<>();
    private final Map<String, JsonObject> openStarts = new LinkedHashMap<>(); // key: kind + id

    /** Applies the next event the client was sent. */
    public void apply(AguiEvent aguiEvent) {
        JsonObject event = aguiEvent.event();
        switch (aguiEvent.type()) {
            case "TEXT_MESSAGE_START" -> {
                message(event.getString("messageId"), event.getString("role", "assistant"));
                openStarts.put("text:" + event.getString("messageId"), start(event, "messageId", "role"));
            }
            case "TEXT_MESSAGE_CONTENT", "REASONING_MESSAGE_CONTENT" ->
                    message(event.getString("messageId"), "assistant").content.append(event.getString("delta"));
            case "TEXT_MESSAGE_END" -> openStarts.remove("text:" + event.getString("messageId"));
            case "REASONING_START" -> openStarts.put("span:" + event.getString("messageId"), start(event, "messageId"));
            case "REASONING_END" -> openStarts.remove("span:" + event.getString("messageId"));
            case "REASONING_MESSAGE_START" -> {
                message(event.getString("messageId"), "reasoning");
                openStarts.put("reasoning:" + event.getString("messageId"), start(event, "messageId", "role"));
            }
            case "REASONING_MESSAGE_END" -> openStarts.remove("reasoning:" + event.getString("messageId"));
            case "TOOL_CALL_START" -> {
                String parent = event.getString("parentMessageId");
                message(parent, "assistant").toolCalls.put(event.getString("toolCallId"), new String[] {event.getString("toolCallName"), ""});
                openStarts.put("tool:" + event.getString("toolCallId"), start(event, "toolCallId", "toolCallName", "parentMessageId"));
            }
            case "TOOL_CALL_ARGS" -> messages.values().stream()
                    .filter(m -> m.toolCalls.containsKey(event.getString("toolCallId"))).findFirst()
                    .ifPresent(m -> m.toolCalls.get(event.getString("toolCallId"))[1] += event.getString("delta"));
            case "TOOL_CALL_END" -> openStarts.remove("tool:" + event.getString("toolCallId"));
            case "TOOL_CALL_RESULT" -> {
                Message result = message(event.getString("messageId"), "tool");
                result.content.append(event.getString("content"));
                result.toolCallId = event.getString("toolCallId");
            }
            default -> {
                // run events carry no message
            }
        }
    }

    /** The run's messages so far, after {@code first} (the message the run answers), in AG-UI's message shape. */
    public JsonArray messages(JsonObject first) {
        JsonArrayBuilder all = Json.createArrayBuilder();
        if (first != null) {
            all.add(first);
        }
        messages.forEach((id, message) -> {
            JsonObjectBuilder out = Json.createObjectBuilder().add("id", id).add("role", message.role);
            if (!message.role.equals("assistant") || message.content.length() > 0) {
                out.add("content", message.content.toString());
            }
            if (message.toolCallId != null) {
                out.add("toolCallId", message.toolCallId);
            }
            if (!message.toolCalls.isEmpty()) {
                JsonArrayBuilder calls = Json.createArrayBuilder();
                message.toolCalls.forEach((callId, call) -> calls.add(Json.createObjectBuilder().add("id", callId)
                        .add("type", "function")
                        .add("function", Json.createObjectBuilder().add("name", call[0]).add("arguments", call[1]))));
                out.add("toolCalls", calls);
            }
            all.add(out);
        });
        return all.build();
    }

    /** A start event for each message, reasoning span and tool call still open, in the order they opened; no ids. */
    public List<AguiEvent> reopening() {
        List<AguiEvent> starts = new ArrayList<>();
        openStarts.values().forEach(start -> starts.add(new AguiEvent(null, start)));
        return starts;
    }

    private Message message(String id, String role) {
        return messages.computeIfAbsent(id, key -> new Message(role));
    }

    /** The start event again, with only the fields that open it (no timestamp: it is not new). */
    private static JsonObject start(JsonObject event, String... fields) {
        JsonObjectBuilder start = Json.createObjectBuilder().add("type", event.getString("type"));
        for (String field : fields) {
            if (event.containsKey(field)) {
                start.add(field, event.get(field));
            }
        }
        return start.build();
    }
}
