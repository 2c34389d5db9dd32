package dev.agentwire.agui.control;

import dev.agentwire.agents.control.Agent;
import dev.agentwire.agents.control.ApprovalRuns;
import dev.agentwire.agents.control.ChatRuns;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import dev.agentwire.protocol.StorableTextValidator;
import dev.agentwire.threads.control.Conversations;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chat an AG-UI request carries: its newest user message (its text, or the text parts of its
 * content) or front-end tool result (role {@code tool}, with {@code toolCallId}), with the
 * request's thread and run ids and its tools. That message's {@code id} is the client_msg_id that
 * makes the request idempotent: a client that repeats its request, with the messages its agent
 * gathered from the lost stream or without them, names the same message. The other messages are
 * the client's copy of the thread, which agentwire keeps itself, so they are not read. With resume
 * entries, the request answers the thread's open interrupt instead ({@code answer}).
 */
public record AguiChat(String threadId, String runId, ChatRuns.Chat chat, JsonObject message, Optional<ApprovalRuns.Answer> answer) {

    static final int MAX_TEXT = 16_000;

    /** The chat of a request that passed Bean Validation, or VALIDATION_FAILED naming what is wrong. */
    public static AguiChat of(RunAgentInput input) {
        int last = input.messages().size() - 1;
        while (last >= 0 && !List.of("user", "tool").contains(input.messages().get(last).role())) {
            last--;
        }
        if (last < 0) {
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, "The request has invalid fields.", List.of(new FieldProblem(
                    "messages", "messages must hold a user message or a tool result: the one this run answers")));
        }
        RunAgentInput.Message message = input.messages().get(last);
        String at = "messages[" + last + "].";
        List<FieldProblem> problems = new ArrayList<>();
        if (message.id().length() > 64 || !message.id().matches(ClientFrame.ID_PATTERN)) {
            problems.add(new FieldProblem(at + "id", at + "id of the new message must be 1 to 64 of letters, digits and . _ : -"));
        }
        String toolCallId = null;
        if (message.role().equals("tool")) {
            toolCallId = message.toolCallId();
            if (toolCallId == null || toolCallId.isBlank() || toolCallId.length() > 64) {
                problems.add(new FieldProblem(at + "toolCallId", at + "toolCallId of a tool result must have 1 to 64 characters"));
            } else {
                StorableTextValidator.problemIn(toolCallId)
                        .ifPresent(p -> problems.add(new FieldProblem(at + "toolCallId", at + "toolCallId " + p)));
            }
        }
        Optional<String> text = textOf(message.content());
        if (text.isEmpty()) {
            problems.add(new FieldProblem(at + "content", at + "content must be a string or a list of text parts"));
        } else if (text.get().isBlank() && toolCallId == null) {
            problems.add(new FieldProblem(at + "content", at + "content must not be empty"));
        } else if (text.get().length() > MAX_TEXT) {
            problems.add(new FieldProblem(at + "content", at + "content must be at most " + MAX_TEXT + " characters"));
        } else {
            StorableTextValidator.problemIn(text.get()).ifPresent(p -> problems.add(new FieldProblem(at + "content", at + "content " + p)));
        }
        if (!problems.isEmpty()) {
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, "The request has invalid fields.", problems);
        }
        String stored = text.get(); // a tool may return nothing
        var newMessage = new Conversations.NewMessage(input.threadId(), message.id(), input.runId(), stored, toolCallId);
        List<Agent.ClientTool> tools = input.tools() == null ? List.of() : input.tools().stream()
                .map(t -> new Agent.ClientTool(t.name(), t.description(), t.parameters() == null ? null : t.parameters().toString()))
                .toList();
        JsonObjectBuilder shown = Json.createObjectBuilder().add("id", message.id()).add("role", message.role()).add("content", stored);
        if (toolCallId != null) {
            shown.add("toolCallId", toolCallId);
        }
        return new AguiChat(input.threadId(), input.runId(), new ChatRuns.Chat(newMessage, tools), shown.build(),
                AguiResume.of(input.resume(), input.runId()));
    }

    /** A string, or the text parts of a content list joined; empty when the content is neither. */
    static Optional<String> textOf(JsonValue content) {
        if (content instanceof JsonString string) {
            return Optional.of(string.getString());
        }
        if (content == null || content.getValueType() != JsonValue.ValueType.ARRAY) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue part : content.asJsonArray()) {
            if (!(part instanceof JsonObject object) || !"text".equals(object.getString("type", null))
                    || !(object.get("text") instanceof JsonString partText)) {
                return Optional.empty();
            }
            text.append(partText.getString());
        }
        return Optional.of(text.toString());
    }
}
