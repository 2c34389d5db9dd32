package dev.agentwire.threads.entity;

import dev.agentwire.kernel.Owner;
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
        query = "select t from ChatThread t where t.ownerIssuer = :issuer and t.ownerId = :owner order by t.createdAt desc, t.id")
public class ChatThread {

    public static final String BY_OWNER = "ChatThread.byOwner";
    static final int TITLE_LENGTH = 80;

    @Id
    private String id;

    @Column(name = "owner_issuer", nullable = false)
    private String ownerIssuer;

    @Column(name = "owner_id", nullable = false)
    private String ownerId;

    @Column(nullable = false)
    private String title;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    protected ChatThread() {
    }

    public ChatThread(String id, Owner owner, String firstMessage, Instant createdAt) {
        this.id = id;
        this.ownerIssuer = owner.issuer();
        this.ownerId = owner.userId();
        this.title = titleFrom(firstMessage);
        this.createdAt = createdAt.atOffset(ZoneOffset.UTC);
    }

    public boolean isOwnedBy(Owner owner) {
        return ownerIssuer.equals(owner.issuer()) && ownerId.equals(owner.userId());
    }

    public String id() {
        return id;
    }

    public Owner owner() {
        return new Owner(ownerIssuer, ownerId);
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
