package dev.agentwire.agui.control;

import dev.agentwire.protocol.ClientFrame;
import jakarta.json.JsonValue;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * AG-UI's request body (RunAgentInput of @ag-ui/core 1.0.0), with the fields agentwire reads.
 * Field names are AG-UI's (camelCase); unknown fields are ignored, as AG-UI allows. What Bean
 * Validation cannot say (which message is the new one, what it must hold) {@link AguiChat} checks.
 * {@code state}, {@code context}, {@code forwardedProps} and {@code parentRunId} are accepted and
 * not used: agentwire's agents keep no AG-UI state. {@code resume} answers the thread's open
 * interrupt (docs/agui.md, "Approvals").
 */
public record RunAgentInput(
        @NotBlank(message = "must not be empty")
        @Size(max = 64, message = "must be at most 64 characters")
        @Pattern(regexp = ClientFrame.ID_PATTERN, message = "may contain only letters, digits and . _ : -")
        String threadId,
        @NotBlank(message = "must not be empty")
        @Size(min = 8, max = 64, message = "must have 8 to 64 characters; a UUID is best")
        @Pattern(regexp = ClientFrame.ID_PATTERN, message = "may contain only letters, digits and . _ : -")
        String runId,
        @NotNull(message = "is required")
        @Size(min = 1, max = 1000, message = "must hold 1 to 1000 messages, the last one new")
        List<@NotNull(message = "must not be null") @Valid Message> messages,
        @Size(max = 128, message = "may hold at most 128 tools")
        List<@NotNull(message = "must not be null") @Valid Tool> tools,
        List<JsonValue> context,
        JsonValue state,
        JsonValue forwardedProps,
        String parentRunId,
        @Size(max = 16, message = "may hold at most 16 entries")
        List<@NotNull(message = "must not be null") @Valid ResumeEntry> resume) {

    /** An answer to an interrupt (AG-UI's ResumeEntry); see {@link AguiResume}. */
    public record ResumeEntry(
            @NotBlank(message = "must not be empty")
            @Size(max = 64, message = "must be at most 64 characters")
            @Pattern(regexp = ClientFrame.ID_PATTERN, message = "may contain only letters, digits and . _ : -")
            String interruptId,
            @NotNull(message = "is required")
            @Pattern(regexp = "resolved|cancelled", message = "must be resolved or cancelled")
            String status,
            JsonValue payload,
            JsonValue metadata) {
    }

    /** A message of the conversation; only the last one is read (see {@link AguiChat}). */
    public record Message(
            @NotBlank(message = "must not be empty")
            String id,
            @NotBlank(message = "must not be empty")
            String role,
            JsonValue content,
            String toolCallId) {
    }

    /** A tool the client runs; the model may call it by {@code name}. */
    public record Tool(
            @NotBlank(message = "must not be empty")
            @Pattern(regexp = "[A-Za-z0-9_-]{1,64}", message = "must be 1 to 64 of A-Z a-z 0-9 _ -")
            String name,
            @Size(max = 4000, message = "must be at most 4000 characters")
            String description,
            JsonValue parameters) {
    }
}
