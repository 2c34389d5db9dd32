package dev.agentwire.agui.control;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one run's stored events, as the WebSocket protocol has them, into AG-UI events, in order.
 * Pure and deterministic: the same stored events always give the same AG-UI events with the same
 * ids, which is what lets a resumed stream continue exactly where the client's cursor is. One
 * instance per run and stream, fed the run's events in seq order; events of other runs are ignored.
 *
 * <p>What it keeps: whether a reasoning message (the agent's thinking) or the answer's text message
 * is open, whether any of the answer was streamed, and the tool call a tool result answers. The
 * ids it makes are derived from the run id and seq, never random. docs/agui.md has the table.
 */
public final class RunMapping {

    static final String COMPLETED = "completed";
    static final String CANCELLED = "cancelled";
    static final String AWAITING_APPROVAL = "awaiting_approval";

    private final String threadId;
    private final String runId;
    private final String answerId;
    private String reasoningId; // open reasoning span and message, or null
    private boolean textOpen;
    private boolean streamed;
    private String lastToolCallId;
    private final List<String> requestedToolCalls = new ArrayList<>();
    private final List<JsonObject> interrupts = new ArrayList<>();
    private boolean ended;

    public RunMapping(String threadId, String runId) {
        this.threadId = threadId;
        this.runId = runId;
        this.answerId = runId + "-answer";
    }

    /** The id of the assistant message that holds the run's answer and tool calls. */
    public String answerId() {
        return answerId;
    }

    /** Whether the run's closing event was mapped. */
    public boolean ended() {
        return ended;
    }

    /** The AG-UI events of one stored event; none for another run's event or one after the run ended. */
    public List<AguiEvent> map(JsonObject stored) {
        if (ended || !runId.equals(stored.getString("run_id", null))) {
            return List.of();
        }
        List<JsonObjectBuilder> out = new ArrayList<>();
        String type = stored.getString("type", "");
        long seq = stored.getJsonNumber("seq").longValue();
        switch (type) {
            case "agent_started" -> out.add(event("RUN_STARTED").add("threadId", threadId).add("runId", runId));
            case "agent_thinking" -> thinking(stored, seq, out);
            case "agent_message_delta" -> {
                closeReasoning(out);
                String text = stored.getString("text", "");
                if (!text.isEmpty()) {
                    openText(out);
                    out.add(event("TEXT_MESSAGE_CONTENT").add("messageId", answerId).add("delta", text));
                    streamed = true;
                }
            }
            case "tool_executing" -> {
                if (stored.get("tool_call_id") instanceof JsonString approved) {
                    lastToolCallId = approved.getString(); // started by the run that paused for its approval
                    break;
                }
                lastToolCallId = runId + "-tool-" + seq;
                String arguments = stored.get("input") instanceof JsonObject input ? input.toString() : "{}";
                toolCall(lastToolCallId, stored.getString("tool", ""), arguments, out);
            }
            case "tool_completed" -> {
                closeReasoning(out);
                closeText(out);
                String callId = stored.get("tool_call_id") instanceof JsonString approved ? approved.getString() : lastToolCallId;
                if (callId != null) {
                    out.add(event("TOOL_CALL_RESULT").add("messageId", runId + "-result-" + seq)
                            .add("toolCallId", callId).add("content", stored.getString("output", ""))
                            .add("role", "tool"));
                }
            }
            case "tool_call_requested" -> {
                String id = stored.getString("tool_call_id", runId + "-tool-" + seq);
                requestedToolCalls.add(id);
                toolCall(id, stored.getString("tool", ""), stored.getString("arguments", "{}"), out);
            }
            case "approval_requested" -> {
                String id = stored.getString("tool_call_id", runId + "-tool-" + seq);
                JsonObject arguments = stored.get("arguments") instanceof JsonObject a ? a : JsonValue.EMPTY_JSON_OBJECT;
                toolCall(id, stored.getString("tool", ""), arguments.toString(), out);
                interrupts.add(interrupt(stored, id, arguments));
            }
            case "agent_completed" -> completed(stored, out);
            case "agent_error" -> {
                ended = true;
                out.add(event("RUN_ERROR").add("message", stored.getString("message", "The run failed."))
                        .add("code", stored.getString("code", "AGENT_FAILED")));
            }
            default -> {
                // a stored kind AG-UI has no event for: nothing to show
            }
        }
        return withIds(seq, timestampOf(stored), out);
    }

    private void thinking(JsonObject stored, long seq, List<JsonObjectBuilder> out) {
        closeText(out);
        String text = stored.getString("text", "");
        if (reasoningId == null) {
            reasoningId = runId + "-thinking-" + seq;
            out.add(event("REASONING_START").add("messageId", reasoningId));
            out.add(event("REASONING_MESSAGE_START").add("messageId", reasoningId).add("role", "reasoning"));
        } else {
            text = "\n" + text;
        }
        if (!text.isEmpty()) {
            out.add(event("REASONING_MESSAGE_CONTENT").add("messageId", reasoningId).add("delta", text));
        }
    }

    private void toolCall(String id, String name, String arguments, List<JsonObjectBuilder> out) {
        closeReasoning(out);
        closeText(out);
        out.add(event("TOOL_CALL_START").add("toolCallId", id).add("toolCallName", name).add("parentMessageId", answerId));
        out.add(event("TOOL_CALL_ARGS").add("toolCallId", id).add("delta", arguments));
        out.add(event("TOOL_CALL_END").add("toolCallId", id));
    }

    private void completed(JsonObject stored, List<JsonObjectBuilder> out) {
        ended = true;
        closeReasoning(out);
        String status = stored.getString("status", COMPLETED);
        if (stored.get("text") instanceof JsonString text && !text.getString().isEmpty() && !streamed) {
            openText(out); // an agent that does not stream: the whole answer at once
            out.add(event("TEXT_MESSAGE_CONTENT").add("messageId", answerId).add("delta", text.getString()));
        }
        closeText(out);
        JsonObjectBuilder finished = event("RUN_FINISHED").add("threadId", threadId).add("runId", runId);
        if (AWAITING_APPROVAL.equals(status) && !interrupts.isEmpty()) {
            JsonArrayBuilder open = Json.createArrayBuilder();
            interrupts.forEach(open::add);
            finished.add("outcome", Json.createObjectBuilder().add("type", "interrupt").add("interrupts", open));
        } else if (CANCELLED.equals(status)) {
            finished.add("outcome", Json.createObjectBuilder().add("type", "cancelled"));
        } else if (!requestedToolCalls.isEmpty()) {
            JsonArrayBuilder pending = Json.createArrayBuilder();
            requestedToolCalls.forEach(pending::add);
            finished.add("outcome", Json.createObjectBuilder().add("type", "success").add("pendingToolCallIds", pending));
        }
        out.add(finished);
    }

    /**
     * AG-UI's Interrupt of an approval_requested: what the person is asked, the call it holds, and
     * the answer's shape (approve, optionally with edited arguments of the tool's schema, or not).
     */
    private static JsonObject interrupt(JsonObject stored, String toolCallId, JsonObject arguments) {
        JsonObjectBuilder interrupt = Json.createObjectBuilder()
                .add("id", stored.getString("interrupt_id", ""))
                .add("reason", "tool_approval")
                .add("message", stored.getString("message", ""))
                .add("toolCallId", toolCallId);
        if (stored.get("expires_at") instanceof JsonString expires) {
            interrupt.add("expiresAt", expires.getString());
        }
        interrupt.add("responseSchema", Json.createObjectBuilder().add("type", "object").add("properties", Json.createObjectBuilder()
                .add("approved", Json.createObjectBuilder().add("type", "boolean"))
                .add("reason", Json.createObjectBuilder().add("type", "string"))
                .add("editedArgs", Json.createObjectBuilder().add("type", "object"))));
        interrupt.add("metadata", Json.createObjectBuilder()
                .add("tool", stored.getString("tool", ""))
                .add("arguments", arguments)
                .add("fingerprint", stored.getString("fingerprint", ""))
                .add("editable", stored.getBoolean("editable", false)));
        return interrupt.build();
    }

    private void openText(List<JsonObjectBuilder> out) {
        if (!textOpen) {
            textOpen = true;
            out.add(event("TEXT_MESSAGE_START").add("messageId", answerId).add("role", "assistant"));
        }
    }

    private void closeText(List<JsonObjectBuilder> out) {
        if (textOpen) {
            textOpen = false;
            out.add(event("TEXT_MESSAGE_END").add("messageId", answerId));
        }
    }

    private void closeReasoning(List<JsonObjectBuilder> out) {
        if (reasoningId != null) {
            out.add(event("REASONING_MESSAGE_END").add("messageId", reasoningId));
            out.add(event("REASONING_END").add("messageId", reasoningId));
            reasoningId = null;
        }
    }

    private static JsonObjectBuilder event(String type) {
        return Json.createObjectBuilder().add("type", type);
    }

    private static List<AguiEvent> withIds(long seq, Long timestamp, List<JsonObjectBuilder> built) {
        List<AguiEvent> events = new ArrayList<>(built.size());
        for (int i = 0; i < built.size(); i++) {
            JsonObjectBuilder event = built.get(i);
            if (timestamp != null) {
                event.add("timestamp", timestamp);
            }
            events.add(new AguiEvent(Cursor.id(seq, i + 1, built.size()), event.build()));
        }
        return events;
    }

    /** Milliseconds since the epoch, as AG-UI has it; absent when the stored time cannot be read. */
    private static Long timestampOf(JsonObject stored) {
        JsonValue value = stored.get("timestamp");
        if (value instanceof JsonString at) {
            try {
                return Instant.parse(at.getString()).toEpochMilli();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }
}
