package dev.agentwire.threads.control;

import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame.RunEvent;
import dev.agentwire.threads.entity.ChatThread;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.util.List;

/** The durable log of every agent event, numbered per thread. Events are stored before they are sent. */
@ApplicationScoped
public class EventLog {

    /** A stored event and its JSON, ready to send. */
    public record Appended(RunEvent event, String json) {
    }

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    @Inject
    FrameCodec codec;

    private final Clock clock = Clock.systemUTC();

    /** Numbers the event with its thread's next seq (under a row lock, so every node agrees) and stores it. */
    @Transactional
    public Appended append(UserContext run, RunEventFactory factory) {
        ChatThread thread = em.find(ChatThread.class, run.threadId(), LockModeType.PESSIMISTIC_WRITE);
        if (thread == null) {
            throw new IllegalStateException("run " + run.runId() + " has no thread");
        }
        RunEvent event = factory.create(run.runId(), run.threadId(), thread.nextSeq(), clock.instant());
        String json = codec.encode(event);
        em.persist(new StoredEvent(run.threadId(), event.seq(), run.runId(), codec.typeOf(event), json, event.timestamp()));
        return new Appended(event, json);
    }

    /** Up to {@code limit} events of the thread with seq greater than {@code afterSeq}, in order. */
    @Transactional
    public List<StoredEvent> after(String threadId, long afterSeq, int limit) {
        return em.createNamedQuery(StoredEvent.AFTER, StoredEvent.class)
                .setParameter("thread", threadId)
                .setParameter("after", afterSeq)
                .setMaxResults(limit)
                .getResultList();
    }
}
