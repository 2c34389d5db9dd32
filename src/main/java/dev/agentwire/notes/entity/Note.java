package dev.agentwire.notes.entity;

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

/** A note a user had the save_note tool keep; at most one per tool call. */
@Entity
@Table(name = "user_note")
@NamedQuery(name = Note.OF_OWNER,
        query = "select n from Note n where n.ownerIssuer = :issuer and n.ownerId = :owner order by n.id")
@NamedQuery(name = Note.OF_CALL, query = "select n from Note n where n.ownerIssuer = :issuer and n.ownerId = :owner"
        + " and n.toolCallId = :call")
public class Note {

    public static final String OF_OWNER = "Note.ofOwner";
    public static final String OF_CALL = "Note.ofCall";

    @Id
    @SequenceGenerator(name = "user_note_ids", sequenceName = "user_note_ids", allocationSize = 1)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "user_note_ids")
    private Long id;

    @Column(name = "owner_issuer", nullable = false)
    private String ownerIssuer;

    @Column(name = "owner_id", nullable = false)
    private String ownerId;

    @Column(nullable = false)
    private String text;

    @Column(name = "tool_call_id", nullable = false)
    private String toolCallId;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    protected Note() {
    }

    public Note(Owner owner, String text, String toolCallId, Instant createdAt) {
        this.ownerIssuer = owner.issuer();
        this.ownerId = owner.userId();
        this.text = text;
        this.toolCallId = toolCallId;
        this.createdAt = createdAt.atOffset(ZoneOffset.UTC);
    }

    public Long id() {
        return id;
    }

    public String text() {
        return text;
    }

    public String toolCallId() {
        return toolCallId;
    }

    public Instant createdAt() {
        return createdAt.toInstant();
    }
}
