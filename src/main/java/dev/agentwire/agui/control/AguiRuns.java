package dev.agentwire.agui.control;

import dev.agentwire.agents.control.ApprovalRuns;
import dev.agentwire.agents.control.ChatRuns;
import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.approvals.entity.ToolApproval;
import jakarta.json.JsonObject;
import java.util.List;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import java.time.Instant;
import java.io.StringReader;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Reception;
import dev.agentwire.kernel.Permits;
import dev.agentwire.connections.entity.ShuttingDown;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.streams.control.ThreadStreams;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.StorageFailures;
import dev.agentwire.threads.entity.ChatMessage;
import dev.agentwire.protocol.GatewayException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * AG-UI runs: a request's chat goes the way every chat goes ({@link ChatRuns}: limits, stored with
 * its run, then the run starts), and its response is a subscriber of the thread's event stream.
 * A new run is followed from before it starts. A request that repeats one already accepted (the
 * same message id: a retry, a resume with {@code Last-Event-ID}, a second tab) starts nothing and
 * stores nothing: its stream is the run's events read from the log from the run's first one, then
 * live, joined after the client's cursor ({@link JoinedRun}). {@link #join} gives the same stream
 * of a run named by its id, with no request to repeat.
 */
@ApplicationScoped
public class AguiRuns {

    private static final Logger LOG = Logger.getLogger(AguiRuns.class.getName());

    @Inject
    ChatRuns chats;

    @Inject
    ApprovalRuns approvals;

    @Inject
    Approvals approvalsOf;

    @Inject
    Conversations conversations;

    @Inject
    ThreadStreams streams;

    @Inject
    EventLog log;

    @Inject
    @ConfigProperty(name = "agentwire.outbox.capacity", defaultValue = "1024")
    int capacity;

    @Inject
    @ConfigProperty(name = "agentwire.agui.keep-alive-seconds", defaultValue = "15")
    int keepAliveSeconds;

    @Inject
    @ConfigProperty(name = "agentwire.agui.streams-max", defaultValue = "1024")
    int streamsMax;

    @Inject
    @ConfigProperty(name = "agentwire.agui.streams-per-user-max", defaultValue = "8")
    int streamsPerUser;

    @Resource
    ManagedThreadFactory threadFactory;

    /** Longest the shutdown waits for the open streams to write their RUN_ERROR. */
    private static final Duration SHUTDOWN_WRITE_TIME = Duration.ofSeconds(2);

    private final Set<AguiStream> open = ConcurrentHashMap.newKeySet();
    private Permits places;
    private volatile boolean stopping;
    private ThreadPoolExecutor writers;

    /**
     * One writer thread per open stream, made by the platform's factory (the application's
     * context captured once per thread, as for runs), idle ones ending after a minute.
     */
    @PostConstruct
    void start() {
        if (streamsMax < 1 || streamsPerUser < 1 || keepAliveSeconds < 1) {
            throw new IllegalStateException("agentwire.agui.streams-max, agentwire.agui.streams-per-user-max and"
                    + " agentwire.agui.keep-alive-seconds must be at least 1");
        }
        places = new Permits(streamsMax, streamsPerUser);
        writers = new ThreadPoolExecutor(0, streamsMax, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), threadFactory);
    }

    /**
     * Accepts the request's chat and returns its response stream, subscribed; refusals (limits,
     * another user's thread, storage) are thrown before anything is written.
     *
     * @param cursor where the client's last stream stopped; null for the run from its start
     */
    public AguiStream open(Owner owner, Instant expiresAt, AguiChat chat, Cursor cursor) {
        Permits.Permit permit = room(owner);
        try {
            UserContext user = UserContext.forConnection(owner.issuer(), owner.userId());
            Place place = new Place(owner, expiresAt, permit);
            if (chat.answer().isPresent()) {
                return resume(place, user, chat, chat.answer().get(), cursor);
            }
            AguiStream[] stream = new AguiStream[1];
            try {
                chats.start(user, chat.chat(), accepted -> {
                    if (accepted.runId() == null) {
                        throw new GatewayException(ErrorCode.RUN_NOT_FOUND, "This message was stored before runs were; it has no run to stream.");
                    }
                    stream[0] = subscribed(place, new JoinedRun(accepted.threadId(), accepted.runId(), chat.message(), cursor),
                            accepted.duplicate());
                });
            } catch (GatewayException refused) {
                if (refused.code() != ErrorCode.APPROVAL_PENDING) {
                    throw refused;
                }
                return refusal(place, chat, refused); // AG-UI's rule: new input while an interrupt is open is RUN_ERROR
            }
            return stream[0];
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
    }

    /** Whose stream, until when its token holds, and the place it takes among the open streams. */
    private record Place(Owner owner, Instant expiresAt, Permits.Permit permit) {
    }

    /**
     * Answers the thread's open interrupt with the request's resume entry ({@link ApprovalRuns}) and
     * streams the run that continues with it; a repeat of an answer streams the first answer's run
     * from the log. An unknown, foreign, expired or otherwise answered interrupt is a stream of one
     * RUN_ERROR, as AG-UI has it; nothing is stored or run.
     */
    private AguiStream resume(Place place, UserContext user, AguiChat chat, ApprovalRuns.Answer answer, Cursor cursor) {
        Owner owner = place.owner();
        StorageFailures.translate(() -> conversations.owned(owner, chat.threadId()))
                .orElseThrow(() -> new GatewayException(ErrorCode.THREAD_NOT_FOUND));
        boolean ofThisThread = StorageFailures.translate(() -> approvalsOf.owned(owner, answer.interruptId()))
                .filter(asked -> asked.threadId().equals(chat.threadId())).isPresent();
        AguiStream[] stream = new AguiStream[1];
        try {
            if (!ofThisThread) {
                throw new GatewayException(ErrorCode.INTERRUPT_NOT_FOUND);
            }
            approvals.answer(user, answer, answered -> stream[0] = subscribed(place, new JoinedRun(chat.threadId(),
                    answered.approval().answerRunId(), answerShown(answered.approval()), cursor), answered.duplicate()));
        } catch (GatewayException refused) {
            if (!List.of(ErrorCode.INTERRUPT_NOT_FOUND, ErrorCode.INTERRUPT_EXPIRED, ErrorCode.INTERRUPT_ANSWERED)
                    .contains(refused.code())) {
                throw refused;
            }
            return refusal(place, chat, refused);
        }
        return stream[0];
    }

    /** What a continuing run answers, for its MESSAGES_SNAPSHOT: the person's decision, as a message of the call's tool. */
    private static JsonObject answerShown(ToolApproval answered) {
        return Json.createObjectBuilder().add("id", answered.id() + "-answer").add("role", "tool")
                .add("toolCallId", answered.toolCallId()).add("content", answered.decision().wire()).build();
    }

    /** A stream of one RUN_ERROR with the refusal's code and message, subscribed to nothing. */
    private AguiStream refusal(Place place, AguiChat chat, GatewayException refused) {
        AguiStream stream = newStream(place, new JoinedRun(chat.threadId(), chat.runId(), chat.message(), null));
        open.add(stream);
        stream.fail(refused.code(), refused.personMessage(), null);
        return stream;
    }

    /**
     * The stream of one of the owner's runs, for a client that has no request to repeat (a second
     * tab): read from the log from the run's first event, then live, joined after {@code cursor}.
     * Another user's run, or none, is RUN_NOT_FOUND.
     */
    public AguiStream join(Owner owner, Instant expiresAt, String runId, Cursor cursor) {
        Permits.Permit permit = room(owner);
        try {
            Place place = new Place(owner, expiresAt, permit);
            Conversations.RunOfMessage found = StorageFailures.translate(() -> conversations.ownedRun(owner, runId))
                    .orElseThrow(() -> new GatewayException(ErrorCode.RUN_NOT_FOUND, "There is no such run among yours."));
            ChatMessage message = found.message();
            if (message == null) { // a run that continues after an approval's answer
                ToolApproval answered = StorageFailures.translate(() -> approvalsOf.answeredBy(runId))
                        .orElseThrow(() -> new GatewayException(ErrorCode.RUN_NOT_FOUND, "There is no such run among yours."));
                return subscribed(place, new JoinedRun(found.threadId(), found.runId(), answerShown(answered), cursor), true);
            }
            JsonObjectBuilder shown = Json.createObjectBuilder()
                    .add("id", message.clientMsgId() != null ? message.clientMsgId() : "message-" + message.id())
                    .add("role", message.role().name()).add("content", message.text());
            if (message.toolCallId() != null) {
                shown.add("toolCallId", message.toolCallId());
            }
            return subscribed(place, new JoinedRun(found.threadId(), found.runId(), shown.build(), cursor), true);
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
    }

    /**
     * A place for one more stream, or the refusal: beyond the node's limit SERVER_BUSY, beyond the
     * user's RATE_LIMITED. Taken in one step with the count, so requests that come together cannot
     * pass the limits together; given back when the stream ends.
     */
    private Permits.Permit room(Owner owner) {
        if (stopping) {
            throw new GatewayException(ErrorCode.SERVER_SHUTDOWN, ErrorCode.SERVER_SHUTDOWN.message());
        }
        Permits.Result result = places.acquire(owner);
        if (result.refusal() == Permits.Refusal.TOTAL) {
            throw new GatewayException(ErrorCode.SERVER_BUSY, "The server has " + streamsMax + " AG-UI streams open; retry shortly.");
        }
        if (result.refusal() == Permits.Refusal.OWNER) {
            throw new GatewayException(ErrorCode.RATE_LIMITED, "You have " + streamsPerUser
                    + " AG-UI streams open; let one end (or close it) and retry.");
        }
        return result.permit();
    }

    /**
     * A stream of the run, subscribed to its thread: from now on for a run that has not started
     * ({@code fromTheLog} false), else from the log from the run's first event, then live.
     */
    private AguiStream subscribed(Place place, JoinedRun run, boolean fromTheLog) {
        AguiStream stream = newStream(place, run);
        try {
            if (fromTheLog && run.cursor() != null) {
                requireSentInRun(run);
            }
            if (fromTheLog) {
                streams.resume(stream, run.threadId(), before(run.threadId(), run.runId()));
            } else {
                streams.follow(stream, run.threadId());
            }
        } catch (RuntimeException e) {
            ended(stream); // the caller gives the place back
            throw e;
        }
        return stream;
    }

    /** A stream, open; when it ends it leaves the thread's stream and gives its place back. */
    private AguiStream newStream(Place place, JoinedRun run) {
        AguiStream stream = new AguiStream(place.owner(), place.expiresAt(), run, capacity, Duration.ofSeconds(keepAliveSeconds), ended -> {
            ended(ended);
            place.permit().release();
        });
        open.add(stream);
        return stream;
    }

    /** VALIDATION_FAILED for a Last-Event-ID that is not the id of an event agentwire sent in this run. */
    private void requireSentInRun(JoinedRun run) {
        Cursor cursor = run.cursor();
        long first = StorageFailures.translate(() -> log.firstSeqOfRun(run.threadId(), run.runId()));
        boolean sent = first > 0 && cursor.seq() >= first && JoinedRun.sent(run.threadId(), run.runId(), cursor,
                StorageFailures.translate(() -> log.after(run.threadId(), first - 1, (int) Math.min(Integer.MAX_VALUE - 1, cursor.seq() - first + 1)))
                        .stream().filter(event -> event.runId().equals(run.runId()))
                        .map(event -> Json.createReader(new StringReader(event.payload())).readObject()).toList());
        if (!sent) {
            throw new GatewayException(ErrorCode.VALIDATION_FAILED, "The request has invalid fields.", List.of(new FieldProblem(
                    "Last-Event-ID", "Last-Event-ID must be the id of an event agentwire sent in this run")));
        }
    }


    /**
     * Writes the stream to the response on a writer thread of its own and returns at once;
     * {@code done} runs when the stream is over (close the response there).
     */
    public void write(AguiStream stream, AguiStream.Events events, Runnable done) {
        try {
            writers.execute(() -> {
                try {
                    stream.writeTo(events);
                } catch (IOException | RuntimeException clientGone) {
                    LOG.fine(() -> "An AG-UI stream ended early: " + clientGone); // it resumes with Last-Event-ID
                } finally {
                    done.run();
                }
            });
        } catch (RejectedExecutionException e) {
            stream.stop(ErrorCode.SERVER_BUSY);
            stream.abandon();
            done.run();
        }
    }

    /**
     * The seq after which the run's events are: before its first one, or, when none is stored yet,
     * the thread's latest seq, read first so that no event of the run can fall between the two reads.
     */
    private long before(String threadId, String runId) {
        long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
        long first = StorageFailures.translate(() -> log.firstSeqOfRun(threadId, runId));
        return first > 0 ? first - 1 : latest;
    }

    private void ended(AguiStream stream) {
        open.remove(stream);
        streams.leave(stream);
    }

    /**
     * The server begins to stop, before any connection is closed: no new stream, and every open one
     * ends with RUN_ERROR SERVER_SHUTDOWN (the client joins again elsewhere with Last-Event-ID),
     * written within {@link #SHUTDOWN_WRITE_TIME} while the responses can still be written. Only
     * when this bean exists (some AG-UI request came): made during the shutdown, it broke the
     * shutdown notice of every WebSocket session (docs/platform-notes.md).
     */
    void stopStreams(@Observes(notifyObserver = Reception.IF_EXISTS) ShuttingDown shutdown) {
        stopping = true;
        open.forEach(stream -> stream.stop(ErrorCode.SERVER_SHUTDOWN));
        long until = System.nanoTime() + SHUTDOWN_WRITE_TIME.toNanos();
        while (!open.isEmpty() && System.nanoTime() < until) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @PreDestroy
    void stopWriters() {
        stopping = true;
        open.forEach(stream -> stream.stop(ErrorCode.SERVER_SHUTDOWN));
        writers.shutdown();
    }
}
