package dev.agentwire.threads.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** A conversation owned by one user. Its events are numbered in the event log (run_event). */
@Entity
@Table(name = "chat_thread")
@NamedQuery(name = ChatThread.BY_OWNER,
        query = "select t from ChatThread t where t.ownerId = :owner order by t.createdAt desc, t.id")
public class ChatThread {

    public static final String BY_OWNER = "ChatThread.byOwner";
    static final int TITLE_LENGTH = 80;

    @Id
    private String id;

    @Column(name = "owner_id", nullable = false)
    private String ownerId;

    @Column(nullable = false)
    private String title;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    protected ChatThread() {
    }

    public ChatThread(String id, String ownerId, String firstMessage, Instant createdAt) {
        this.id = id;
        this.ownerId = ownerId;
        this.title = titleFrom(firstMessage);
        this.createdAt = createdAt.atOffset(ZoneOffset.UTC);
    }

    public boolean isOwnedBy(String userId) {
        return ownerId.equals(userId);
    }

    public String id() {
        return id;
    }

    public String ownerId() {
        return ownerId;
    }

    public String title() {
        return title;
    }

    public Instant createdAt() {
        return createdAt.toInstant();
    }

    /** The first line of the first message, cut at a code point boundary. */
    static String titleFrom(String message) {
        String line = message.strip().lines().findFirst().orElse("").strip();
        if (line.codePointCount(0, line.length()) <= TITLE_LENGTH) {
            return line.isEmpty() ? "Untitled" : line;
        }
        return line.substring(0, line.offsetByCodePoints(0, TITLE_LENGTH - 1)) + "\u2026";
    }
}
