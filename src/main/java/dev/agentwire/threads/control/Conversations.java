package dev.agentwire.threads.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.threads.entity.ChatMessage;
import dev.agentwire.threads.entity.ChatThread;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Threads and their messages, each thread visible to its owner only. Reads run in a transaction
 * too: they are also called from managed executor threads, where no request provides one.
 */
@ApplicationScoped
public class Conversations {

    /** A stored chat message; {@code duplicate} when its client_msg_id was seen before in the thread. */
    public record Accepted(String threadId, long messageId, boolean duplicate) {
    }

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    private final Clock clock = Clock.systemUTC();

    /**
     * Stores a user's message in their thread, or in a new thread when none is named. A
     * repeated client_msg_id returns the message stored the first time.
     */
    @Transactional
    public Accepted accept(UserContext user, String threadId, String clientMsgId, String text) {
        Instant now = clock.instant();
        ChatThread thread;
        if (threadId == null) {
            thread = new ChatThread(Ids.newId(), user.userId(), text, now);
            em.persist(thread);
            em.flush(); // the thread row goes first: nothing maps the message's foreign key for JPA to order by
        } else {
            thread = owned(user.userId(), threadId)
                    .orElseThrow(() -> new GatewayException(ErrorCode.THREAD_NOT_FOUND));
            if (clientMsgId != null) {
                Optional<ChatMessage> earlier = em.createNamedQuery(ChatMessage.BY_CLIENT_ID, ChatMessage.class)
                        .setParameter("thread", thread.id())
                        .setParameter("clientMsgId", clientMsgId)
                        .getResultStream().findFirst();
                if (earlier.isPresent()) {
                    return new Accepted(thread.id(), earlier.get().id(), true);
                }
            }
        }
        var message = new ChatMessage(thread.id(), ChatMessage.Role.user, text, clientMsgId, now);
        em.persist(message);
        em.flush();
        return new Accepted(thread.id(), message.id(), false);
    }

    /** Stores an agent's final answer. */
    @Transactional
    public void answer(String threadId, String text) {
        em.persist(new ChatMessage(threadId, ChatMessage.Role.assistant, text, null, clock.instant()));
    }

    /** The thread, if it exists and belongs to the user; another user's thread is indistinguishable from none. */
    @Transactional
    public Optional<ChatThread> owned(String userId, String threadId) {
        return Optional.ofNullable(em.find(ChatThread.class, threadId)).filter(thread -> thread.isOwnedBy(userId));
    }

    /** Up to {@code limit} messages before {@code beforeMessageId}, oldest first: the context of a run. */
    @Transactional
    public List<ChatMessage> before(String threadId, long beforeMessageId, int limit) {
        List<ChatMessage> latest = new ArrayList<>(em.createNamedQuery(ChatMessage.LATEST, ChatMessage.class)
                .setParameter("thread", threadId)
                .setParameter("before", beforeMessageId)
                .setMaxResults(limit)
                .getResultList());
        Collections.reverse(latest);
        return latest;
    }

    @Transactional
    public List<ChatThread> threads(String userId, int offset, int limit) {
        return em.createNamedQuery(ChatThread.BY_OWNER, ChatThread.class)
                .setParameter("owner", userId)
                .setFirstResult(offset)
                .setMaxResults(limit)
                .getResultList();
    }

    @Transactional
    public List<ChatMessage> messages(String threadId, long afterMessageId, int limit) {
        return em.createNamedQuery(ChatMessage.PAGE, ChatMessage.class)
                .setParameter("thread", threadId)
                .setParameter("after", afterMessageId)
                .setMaxResults(limit)
                .getResultList();
    }
}
