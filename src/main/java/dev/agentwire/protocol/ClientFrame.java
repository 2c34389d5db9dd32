package dev.agentwire.protocol;

import jakarta.json.JsonObject;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Frames a client sends. The {@code type} field selects the record. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "chat", type = ClientFrame.Chat.class),
        @JsonbSubtype(alias = "ping", type = ClientFrame.Ping.class),
        @JsonbSubtype(alias = "cancel", type = ClientFrame.Cancel.class),
        @JsonbSubtype(alias = "resume", type = ClientFrame.Resume.class),
        @JsonbSubtype(alias = "refresh", type = ClientFrame.Refresh.class),
        @JsonbSubtype(alias = "approve", type = ClientFrame.Approve.class),
        @JsonbSubtype(alias = "reject", type = ClientFrame.Reject.class)
})
public sealed interface ClientFrame {

    /** Ids a client may choose: short, and safe to log and to use as keys. */
    String ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9._:-]*";

    record Chat(
            @NotBlank(message = "text must not be empty")
            @Size(max = 16_000, message = "text must be at most 16000 characters")
            @StorableText(field = "text")
            String text,
            @Size(max = 64, message = "thread_id must be at most 64 characters")
            @Pattern(regexp = ID_PATTERN, message = "thread_id may contain only letters, digits and . _ : -")
            String threadId,
            @Size(max = 64, message = "client_msg_id must be at most 64 characters")
            @Pattern(regexp = ID_PATTERN, message = "client_msg_id may contain only letters, digits and . _ : -")
            String clientMsgId) implements ClientFrame {
    }

    record Ping() implements ClientFrame {
    }

    /** Stops a run of this user; it ends with agent_completed, status cancelled. */
    record Cancel(
            @NotBlank(message = "run_id must not be empty")
            @Size(max = 64, message = "run_id must be at most 64 characters")
            String runId) implements ClientFrame {
    }

    /** Replays the thread's events with seq greater than after_seq, then continues live. */
    record Resume(
            @NotBlank(message = "thread_id must not be empty")
            @Size(max = 64, message = "thread_id must be at most 64 characters")
            @Pattern(regexp = ID_PATTERN, message = "thread_id may contain only letters, digits and . _ : -")
            String threadId,
            @NotNull(message = "after_seq is required; 0 replays the whole thread")
            @PositiveOrZero(message = "after_seq must not be negative")
            Long afterSeq) implements ClientFrame {
    }

    /** A new token for the same user, extending the session past the current token's expiry. */
    record Refresh(
            @NotBlank(message = "token must not be empty")
            @Size(max = 16_000, message = "token must be at most 16000 characters")
            String token) implements ClientFrame {
    }

    /** Approves an interrupt; {@code arguments}, when given, replace the call's arguments in full. */
    record Approve(
            @NotBlank(message = "interrupt_id must not be empty")
            @Size(max = 64, message = "interrupt_id must be at most 64 characters")
            @Pattern(regexp = ID_PATTERN, message = "interrupt_id may contain only letters, digits and . _ : -")
            String interruptId,
            JsonObject arguments) implements ClientFrame {
    }

    /** Rejects an interrupt; the call never runs and the agent gets the reason. */
    record Reject(
            @NotBlank(message = "interrupt_id must not be empty")
            @Size(max = 64, message = "interrupt_id must be at most 64 characters")
            @Pattern(regexp = ID_PATTERN, message = "interrupt_id may contain only letters, digits and . _ : -")
            String interruptId,
            @Size(max = 2000, message = "reason must be at most 2000 characters")
            @StorableText(field = "reason")
            String reason) implements ClientFrame {
    }
}
