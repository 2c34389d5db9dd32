package dev.agentwire.threads.entity;

import dev.agentwire.kernel.Owner;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * A message of a thread: what a user sent, an agent's final answer, or, with front-end tools
 * (AG-UI), an agent's turn that called tools the client runs and the result the client sent back.
 */
@Entity
@Table(name = "chat_message")
@NamedQuery(name = ChatMessage.BY_CLIENT_ID,
        query = "select m from ChatMessage m where m.ownerIssuer = :issuer and m.ownerId = :owner and m.clientMsgId = :clientMsgId")
@NamedQuery(name = ChatMessage.PAGE,
        query = "select m from ChatMessage m where m.threadId = :thread and m.id > :after order by m.id")
@NamedQuery(name = ChatMessage.LATEST,
        query = "select m from ChatMessage m where m.threadId = :thread and m.id < :before order by m.id desc")
public class ChatMessage {

    public static final String BY_CLIENT_ID = "ChatMessage.byClientId";
    public static final String PAGE = "ChatMessage.page";
    public static final String LATEST = "ChatMessage.latest";

    public enum Role { user, assistant, tool }

    @Id
    @SequenceGenerator(name = "chat_message_ids", sequenceName = "chat_message_ids", allocationSize = 1)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "chat_message_ids")
    private Long id;

    @Column(name = "thread_id", nullable = false)
    private String threadId;

    @Column(nullable = false)
    private String role;

    @Column(nullable = false)
    private String text;

    /** The sender of a user message; null on an agent's answer. */
    @Column(name = "owner_issuer")
    private String ownerIssuer;

    @Column(name = "owner_id")
    private String ownerId;

    @Column(name = "client_msg_id")
    private String clientMsgId;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    /** On a tool result: the call it answers. */
    @Column(name = "tool_call_id")
    private String toolCallId;

    /** On an answer that called front-end tools: the calls, as the model's JSON array of tool calls. */
    @Column(name = "tool_calls")
    private String toolCalls;

    protected ChatMessage() {
    }

    /** A user's message; its client_msg_id, when given, is unique among the sender's messages. */
    public static ChatMessage fromUser(String threadId, Owner sender, String text, String clientMsgId, Instant createdAt) {
        var message = new ChatMessage(threadId, Role.user, text, clientMsgId, createdAt);
        message.ownerIssuer = sender.issuer();
        message.ownerId = sender.userId();
        return message;
    }

    /** An agent's final answer. */
    public static ChatMessage answer(String threadId, String text, Instant createdAt) {
        return new ChatMessage(threadId, Role.assistant, text, null, createdAt);
    }

    /** What a front-end tool returned, sent by the user for the call {@code toolCallId}. */
    public static ChatMessage toolResult(String threadId, Owner sender, String text, String clientMsgId, String toolCallId,
                                         Instant createdAt) {
        var message = fromUser(threadId, sender, text, clientMsgId, createdAt);
        message.role = Role.tool.name();
        message.toolCallId = toolCallId;
        return message;
    }

    /** An agent's turn that ends its run by calling front-end tools; {@code toolCalls} is the JSON array of the calls. */
    public static ChatMessage toolCalls(String threadId, String text, String toolCalls, Instant createdAt) {
        var message = answer(threadId, text, createdAt);
        message.toolCalls = toolCalls;
        return message;
    }

    private ChatMessage(String threadId, Role role, String text, String clientMsgId, Instant createdAt) {
        this.threadId = threadId;
        this.role = role.name();
        this.text = text;
        this.clientMsgId = clientMsgId;
        this.createdAt = createdAt.atOffset(ZoneOffset.UTC);
    }

    public Long id() {
        return id;
    }

    public String threadId() {
        return threadId;
    }

    public Role role() {
        return Role.valueOf(role);
    }

    public String text() {
        return text;
    }

    public String clientMsgId() {
        return clientMsgId;
    }

    /** The call a tool result answers; null on other messages. */
    public String toolCallId() {
        return toolCallId;
    }

    /** The front-end tool calls of an agent's turn, as a JSON array; null on other messages. */
    public String toolCalls() {
        return toolCalls;
    }

    public Instant createdAt() {
        return createdAt.toInstant();
    }
}
