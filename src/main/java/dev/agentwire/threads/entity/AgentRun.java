package dev.agentwire.threads.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The run that answers a user's message, stored in the same transaction as the message, so an
 * acknowledged message always has a run that ends: by its closing event (which sets ended_at in
 * the same transaction), or by recovery at the next start.
 */
@Entity
@Table(name = "agent_run")
@NamedQuery(name = AgentRun.BY_MESSAGE, query = "select r from AgentRun r where r.messageId = :message")
@NamedQuery(name = AgentRun.UNFINISHED, query = "select r from AgentRun r where r.endedAt is null order by r.startedAt")
@NamedQuery(name = AgentRun.UNFINISHED_ON_NODE,
        query = "select r from AgentRun r where r.nodeId = :node and r.endedAt is null order by r.startedAt")
public class AgentRun {

    public static final String BY_MESSAGE = "AgentRun.byMessage";
    public static final String UNFINISHED = "AgentRun.unfinished";
    public static final String UNFINISHED_ON_NODE = "AgentRun.unfinishedOnNode";

    @Id
    private String id;

    @Column(name = "thread_id", nullable = false)
    private String threadId;

    @Column(name = "message_id")
    private Long messageId;

    @Column(name = "started_at", nullable = false)
    private OffsetDateTime startedAt;

    @Column(name = "ended_at")
    private OffsetDateTime endedAt;

    /** The node that runs it. */
    @Column(name = "node_id")
    private String nodeId;

    protected AgentRun() {
    }

    /** {@code messageId} is null for a run that continues after an approval: it answers no message. */
    public AgentRun(String id, String threadId, Long messageId, Instant startedAt, String nodeId) {
        this.id = id;
        this.threadId = threadId;
        this.messageId = messageId;
        this.startedAt = startedAt.atOffset(ZoneOffset.UTC);
        this.nodeId = nodeId;
    }

    public String id() {
        return id;
    }

    /** The message the run answers; null on runs stored before messages had runs. */
    public Long messageId() {
        return messageId;
    }

    public String threadId() {
        return threadId;
    }

    /** Whether its closing event is stored. */
    public boolean hasEnded() {
        return endedAt != null;
    }
}
