package dev.agentwire.threads.control;

import dev.agentwire.cluster.control.ClusterNode;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.entity.AgentRun;
import dev.agentwire.threads.entity.ChatMessage;
import dev.agentwire.threads.entity.ChatThread;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

    /** A thread id a client chooses for a new thread: long enough not to be guessed or to collide by accident. */
    static final int MIN_NEW_THREAD_ID_LENGTH = 8;

    /**
     * A stored chat message and the run that answers it. {@code duplicate} when the sender sent
     * this client_msg_id before: nothing new was stored, and the ids are those of the first time.
     */
    public record Accepted(String threadId, long messageId, String runId, boolean duplicate) {
    }

    /**
     * A message to store with the run that answers it. {@code threadId}, {@code clientMsgId} and
     * {@code runId} may be null (the server makes the thread and run ids); {@code toolCallId} is set
     * on the result of a front-end tool, which is stored with the role {@code tool}.
     */
    public record NewMessage(String threadId, String clientMsgId, String runId, String text, String toolCallId) {
    }

    @PersistenceContext(unitName = "agentwire")
    EntityManager em;

    @Inject
    ClusterNode node;

    private final Clock clock = Clock.systemUTC();

    /**
     * Stores a user's message and its run, in one transaction. The thread is the one named, which
     * must be the sender's; a new thread when none is named, or when the named id is new (the
     * client chose it). A client_msg_id the sender used before, in any thread, returns what was
     * stored the first time, so a chat retried after a lost ack never starts a second run.
     *
     * <p>The message may name its run's id (an AG-UI client chooses it) and may be a front-end
     * tool's result. A run id already taken, by any user, is refused with VALIDATION_FAILED unless
     * the message is a repeat of the one that run answers.
     */
    @Transactional
    public Accepted accept(Owner sender, NewMessage message) {
        Optional<Accepted> earlier = earlier(sender, message.clientMsgId());
        if (earlier.isPresent()) {
            return earlier.get();
        }
        if (message.runId() != null && em.find(AgentRun.class, message.runId()) != null) {
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, ErrorCode.VALIDATION_FAILED.message(),
                    List.of(new ServerFrame.FieldProblem("run_id", "run_id is the id of another run; a new run needs a new id")));
        }
        Instant now = clock.instant();
        String threadId = message.threadId();
        ChatThread thread = threadId == null ? null : em.find(ChatThread.class, threadId);
        if (thread == null) {
            thread = new ChatThread(threadId == null ? Ids.newId() : newThreadId(threadId), sender, message.text(), now);
            em.persist(thread);
            em.flush(); // the thread row goes first: nothing maps the message's foreign key for JPA to order by
        } else if (!thread.isOwnedBy(sender)) {
            throw new GatewayException(ErrorCode.THREAD_NOT_FOUND);
        }
        var stored = message.toolCallId() == null
                ? ChatMessage.fromUser(thread.id(), sender, message.text(), message.clientMsgId(), now)
                : ChatMessage.toolResult(thread.id(), sender, message.text(), message.clientMsgId(), message.toolCallId(), now);
        em.persist(stored);
        em.flush();
        var run = new AgentRun(message.runId() == null ? Ids.newId() : message.runId(), thread.id(), stored.id(), now, node.nodeId());
        em.persist(run);
        return new Accepted(thread.id(), stored.id(), run.id(), false);
    }

    /**
     * What was stored the first time the sender sent this client_msg_id, in any of their threads,
     * marked duplicate; empty when they never did (or gave none).
     */
    @Transactional
    public Optional<Accepted> earlier(Owner sender, String clientMsgId) {
        if (clientMsgId == null) {
            return Optional.empty();
        }
        return em.createNamedQuery(ChatMessage.BY_CLIENT_ID, ChatMessage.class)
                .setParameter("issuer", sender.issuer())
                .setParameter("owner", sender.userId())
                .setParameter("clientMsgId", clientMsgId)
                .getResultStream().findFirst()
                .map(first -> new Accepted(first.threadId(), first.id(), em.createNamedQuery(AgentRun.BY_MESSAGE, AgentRun.class)
                        .setParameter("message", first.id())
                        .getResultStream().findFirst().map(AgentRun::id).orElse(null), true));
    }

    private static String newThreadId(String threadId) {
        if (threadId.length() < MIN_NEW_THREAD_ID_LENGTH) {
            String problem = "a new thread's id must have at least " + MIN_NEW_THREAD_ID_LENGTH + " characters; a UUID is best";
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, ErrorCode.VALIDATION_FAILED.message(),
                    List.of(new ServerFrame.FieldProblem("thread_id", problem)));
        }
        return threadId;
    }

    /** Stores an agent's final answer. */
    @Transactional
    public void answer(String threadId, String text) {
        em.persist(ChatMessage.answer(threadId, text, clock.instant()));
    }

    /** Stores an agent's turn that calls front-end tools ({@code toolCalls}: the JSON array of the calls), with its text so far. */
    @Transactional
    public void toolCalls(String threadId, String text, String toolCalls) {
        em.persist(ChatMessage.toolCalls(threadId, text, toolCalls, clock.instant()));
    }

    /** Stores the result of an agentwire tool's call {@code toolCallId} (role tool), for the run that continues with it; returns its id. */
    @Transactional
    public long toolResult(String threadId, Owner owner, String text, String toolCallId) {
        var stored = ChatMessage.toolResult(threadId, owner, text, null, toolCallId, clock.instant());
        em.persist(stored);
        em.flush();
        return stored.id();
    }

    /** A run and the message it answers; {@code message} is null for a run that continues after an approval's answer. */
    public record RunOfMessage(String threadId, String runId, ChatMessage message) {
    }

    /** The run, if it exists and its thread belongs to the owner; another owner's run is indistinguishable from none. */
    @Transactional
    public Optional<RunOfMessage> ownedRun(Owner owner, String runId) {
        return Optional.ofNullable(em.find(AgentRun.class, runId))
                .filter(run -> owned(owner, run.threadId()).isPresent())
                .flatMap(run -> run.messageId() == null ? Optional.of(new RunOfMessage(run.threadId(), run.id(), null))
                        : Optional.ofNullable(em.find(ChatMessage.class, run.messageId()))
                                .map(message -> new RunOfMessage(run.threadId(), run.id(), message)));
    }

    /** The thread, if it exists and belongs to the owner; another owner's thread is indistinguishable from none. */
    @Transactional
    public Optional<ChatThread> owned(Owner owner, String threadId) {
        return Optional.ofNullable(em.find(ChatThread.class, threadId)).filter(thread -> thread.isOwnedBy(owner));
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
    public List<ChatThread> threads(Owner owner, int offset, int limit) {
        return em.createNamedQuery(ChatThread.BY_OWNER, ChatThread.class)
                .setParameter("issuer", owner.issuer())
                .setParameter("owner", owner.userId())
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
