package dev.agentwire.protocol;

import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jakarta.json.JsonObject;

/** Frames the server sends. The {@code type} field names the record. */
@JsonbTypeInfo(key = "type", value = {
        @JsonbSubtype(alias = "ready", type = ServerFrame.Ready.class),
        @JsonbSubtype(alias = "pong", type = ServerFrame.Pong.class),
        @JsonbSubtype(alias = "error", type = ServerFrame.ErrorFrame.class),
        @JsonbSubtype(alias = "ack", type = ServerFrame.Ack.class),
        @JsonbSubtype(alias = "resumed", type = ServerFrame.Resumed.class),
        @JsonbSubtype(alias = "resume_unavailable", type = ServerFrame.ResumeUnavailable.class),
        @JsonbSubtype(alias = "refreshed", type = ServerFrame.Refreshed.class),
        @JsonbSubtype(alias = "agent_message_delta", type = ServerFrame.AgentMessageDelta.class),
        @JsonbSubtype(alias = "agent_started", type = ServerFrame.AgentStarted.class),
        @JsonbSubtype(alias = "agent_thinking", type = ServerFrame.AgentThinking.class),
        @JsonbSubtype(alias = "tool_executing", type = ServerFrame.ToolExecuting.class),
        @JsonbSubtype(alias = "tool_completed", type = ServerFrame.ToolCompleted.class),
        @JsonbSubtype(alias = "tool_call_requested", type = ServerFrame.ToolCallRequested.class),
        @JsonbSubtype(alias = "approval_requested", type = ServerFrame.ApprovalRequested.class),
        @JsonbSubtype(alias = "approval_resolved", type = ServerFrame.ApprovalResolved.class),
        @JsonbSubtype(alias = "answered", type = ServerFrame.Answered.class),
        @JsonbSubtype(alias = "agent_completed", type = ServerFrame.AgentCompleted.class),
        @JsonbSubtype(alias = "agent_error", type = ServerFrame.AgentError.class)
})
public sealed interface ServerFrame {

    /** The session can carry frames; anything sent earlier was held and is now handled in order. */
    record Ready(String connectionId, String userId, int maxFrameBytes, Instant expiresAt) implements ServerFrame {
    }

    record Pong() implements ServerFrame {
    }

    /**
     * A chat message is stored, with the run that answers it. {@code duplicate} is true when the
     * sender already sent this client_msg_id: nothing was stored again, no new run started, and
     * the ids are those of the first time.
     */
    record Ack(String clientMsgId, long messageId, String threadId, String runId, boolean duplicate) implements ServerFrame {
    }

    /** The replay asked for by resume is complete: live events of the thread follow, from last_seq + 1. */
    record Resumed(String threadId, long lastSeq, int replayed) implements ServerFrame {
    }

    /**
     * The replay asked for is longer than the server replays over WebSocket: load the thread's
     * events over REST (GET /api/threads/{id}/events?after_seq=...), then resume from latest_seq.
     */
    record ResumeUnavailable(String threadId, long afterSeq, long latestSeq, String reason, String message) implements ServerFrame {
    }

    /** The session now lasts until the refreshed token's expiry. */
    record Refreshed(Instant expiresAt) implements ServerFrame {
    }

    /** A field of a client frame that failed validation. */
    record FieldProblem(String field, String message) {
    }

    /**
     * A refusal or failure. {@code closeCode} is present when the server closes the connection
     * right after this frame; {@code reconnectAfterMs} when the server asks the client to wait
     * that long before it reconnects (a shutdown spreads its clients out this way).
     * {@code clientMsgId} or {@code interruptId} names the request refused, when the frame refused
     * is a chat or an answer to an interrupt that carried a well-formed id: the client settles
     * that request rather than guessing which of its requests in flight it was.
     */
    record ErrorFrame(String code, String message, boolean retryable, String correlationId,
                      Integer closeCode, List<FieldProblem> problems, Long reconnectAfterMs,
                      String clientMsgId, String interruptId) implements ServerFrame {

        private static final Pattern ID = Pattern.compile(ClientFrame.ID_PATTERN);
        private static final int ID_MAX_LENGTH = 64;

        public static ErrorFrame of(ErrorCode code, String message, String correlationId,
                                    List<FieldProblem> problems) {
            return new ErrorFrame(code.name(), message, code.retryable(), correlationId,
                    code.closeCode().map(c -> c.getCode()).orElse(null),
                    problems.isEmpty() ? null : problems, null, null, null);
        }

        /** The same frame, asking the client to reconnect after {@code wait}. */
        public ErrorFrame reconnectingAfter(Duration wait) {
            return new ErrorFrame(code, message, retryable, correlationId, closeCode, problems, wait.toMillis(),
                    clientMsgId, interruptId);
        }

        /**
         * The same frame, naming the request of {@code refused}: a chat's client_msg_id, an
         * approve's or reject's interrupt_id. An id that breaks its own rules is not echoed.
         */
        public ErrorFrame refusing(ClientFrame refused) {
            String chatId = null;
            String interrupt = null;
            if (refused instanceof ClientFrame.Chat chat) {
                chatId = wellFormed(chat.clientMsgId());
            } else if (refused instanceof ClientFrame.Approve approve) {
                interrupt = wellFormed(approve.interruptId());
            } else if (refused instanceof ClientFrame.Reject reject) {
                interrupt = wellFormed(reject.interruptId());
            }
            return new ErrorFrame(code, message, retryable, correlationId, closeCode, problems, reconnectAfterMs,
                    chatId, interrupt);
        }

        private static String wellFormed(String id) {
            return id != null && id.length() <= ID_MAX_LENGTH && ID.matcher(id).matches() ? id : null;
        }
    }

    /** What every event of an agent run carries; {@code seq} grows per thread. */
    sealed interface RunEvent extends ServerFrame {
        String runId();

        String threadId();

        long seq();

        Instant timestamp();
    }

    record AgentStarted(String runId, String threadId, long seq, Instant timestamp,
                        String agent) implements RunEvent {
    }

    record AgentThinking(String runId, String threadId, long seq, Instant timestamp,
                         String text) implements RunEvent {
    }

    /** A piece of the answer as the model streams it; the pieces concatenate to agent_completed's text. */
    record AgentMessageDelta(String runId, String threadId, long seq, Instant timestamp,
                             String text) implements RunEvent {
    }

    /** A tool runs; {@code toolCallId} is set on an approved call (the id its approval_requested had). */
    record ToolExecuting(String runId, String threadId, long seq, Instant timestamp,
                         String tool, Map<String, String> input, String toolCallId) implements RunEvent {

        public ToolExecuting(String runId, String threadId, long seq, Instant timestamp, String tool, Map<String, String> input) {
            this(runId, threadId, seq, timestamp, tool, input, null);
        }
    }

    record ToolCompleted(String runId, String threadId, long seq, Instant timestamp,
                         String tool, String output, boolean failed, String toolCallId) implements RunEvent {

        public ToolCompleted(String runId, String threadId, long seq, Instant timestamp, String tool, String output, boolean failed) {
            this(runId, threadId, seq, timestamp, tool, output, failed, null);
        }
    }

    /**
     * A tool call waits for a person's answer: the run ends with agent_completed, status
     * awaiting_approval. {@code fingerprint} is the SHA-256 of the canonical arguments.
     */
    record ApprovalRequested(String runId, String threadId, long seq, Instant timestamp,
                             String interruptId, String toolCallId, String tool, JsonObject arguments,
                             String fingerprint, String message, Instant expiresAt, boolean editable) implements RunEvent {
    }

    /**
     * The first event after agent_started of the run that continues with a person's answer.
     * {@code arguments} are those that run (approved); {@code reason} the person's (rejected).
     */
    record ApprovalResolved(String runId, String threadId, long seq, Instant timestamp,
                            String interruptId, String toolCallId, String tool, String decision,
                            JsonObject arguments, Boolean edited, String reason) implements RunEvent {
    }

    /**
     * An approve or reject was stored (or repeated the first answer: {@code duplicate}, with the
     * first answer's decision and run); {@code runId} is the run that continues the thread.
     */
    record Answered(String interruptId, String threadId, String decision, String runId, boolean duplicate) implements ServerFrame {
    }

    /**
     * The model called a tool the client runs (an AG-UI front-end tool): {@code arguments} is the
     * JSON text the model wrote. The run then ends with agent_completed, status awaiting_tools; the
     * client's next message in the thread is the tool's result.
     */
    record ToolCallRequested(String runId, String threadId, long seq, Instant timestamp,
                             String toolCallId, String tool, String arguments) implements RunEvent {
    }

    record AgentCompleted(String runId, String threadId, long seq, Instant timestamp,
                          String text, String status) implements RunEvent {
    }

    /**
     * A run that ended without an answer. {@code retryAfter}, in whole seconds, is present when the
     * backend said how long to wait (a model server's 429); null is left out of the frame.
     */
    record AgentError(String runId, String threadId, long seq, Instant timestamp,
                      String code, String message, boolean retryable, String correlationId,
                      Long retryAfter) implements RunEvent {

        /** An agent_error without a wait. */
        public AgentError(String runId, String threadId, long seq, Instant timestamp,
                          String code, String message, boolean retryable, String correlationId) {
            this(runId, threadId, seq, timestamp, code, message, retryable, correlationId, null);
        }
    }
}
