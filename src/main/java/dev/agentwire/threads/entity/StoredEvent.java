package dev.agentwire.threads.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** One agent event as it was sent: the frame's JSON, numbered within its thread. */
@Entity
@Table(name = "run_event")
@IdClass(StoredEvent.Key.class)
@NamedQuery(name = StoredEvent.AFTER,
        query = "select e from StoredEvent e where e.threadId = :thread and e.seq > :after order by e.seq")
@NamedQuery(name = StoredEvent.LATEST_SEQ,
        query = "select max(e.seq) from StoredEvent e where e.threadId = :thread")
@NamedQuery(name = StoredEvent.LATEST_SEQS,
        query = "select e.threadId, max(e.seq) from StoredEvent e where e.threadId in :threads group by e.threadId")
@NamedQuery(name = StoredEvent.FIRST_OF_RUN,
        query = "select min(e.seq) from StoredEvent e where e.threadId = :thread and e.runId = :run")
public class StoredEvent {

    public static final String AFTER = "StoredEvent.after";
    public static final String LATEST_SEQ = "StoredEvent.latestSeq";
    public static final String LATEST_SEQS = "StoredEvent.latestSeqs";
    public static final String FIRST_OF_RUN = "StoredEvent.firstOfRun";

    /** The primary key: a thread and a position in it. */
    public static class Key implements Serializable {
        private String threadId;
        private long seq;

        public Key() {
        }

        public Key(String threadId, long seq) {
            this.threadId = threadId;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.seq == seq && Objects.equals(key.threadId, threadId);
        }

        @Override
        public int hashCode() {
            return Objects.hash(threadId, seq);
        }
    }

    @Id
    @Column(name = "thread_id")
    private String threadId;

    @Id
    private long seq;

    @Column(name = "run_id", nullable = false)
    private String runId;

    @Column(nullable = false)
    private String type;

    @Column(nullable = false)
    private String payload;

    @Column(name = "created_at", nullable = false)
    private OffsetDateTime createdAt;

    protected StoredEvent() {
    }

    public StoredEvent(String threadId, long seq, String runId, String type, String payload, Instant createdAt) {
        this.threadId = threadId;
        this.seq = seq;
        this.runId = runId;
        this.type = type;
        this.payload = payload;
        this.createdAt = createdAt.atOffset(ZoneOffset.UTC);
    }

    public long seq() {
        return seq;
    }

    public String payload() {
        return payload;
    }

    public String threadId() {
        return threadId;
    }

    public String runId() {
        return runId;
    }
}
