package dev.agentwire.streams.control;

import dev.agentwire.cluster.control.ClusterNode;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.Owner;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.SchemaMigrations;
import dev.agentwire.threads.control.StorageFailures;
import dev.agentwire.threads.entity.StoredEvent;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The event stream of every thread: the one owner of a thread's events. Runs append to it
 * ({@link #openRun}); it numbers, stores (through the {@link EventWriter}, in group commits) and
 * only then hands each event to the thread's subscribers, in seq order; it replays the log to a
 * subscriber that resumes and hands it over to the live events without a gap or a duplicate.
 *
 * <p>Per subscriber and thread a {@link Subscription} remembers the last seq sent, so seq never
 * goes back and nothing is sent twice, and whether a replay is catching up (live events are then
 * left to the replay, which reads them from the log). Delivery runs on a few lanes of its own,
 * a thread always on the same lane, so the writer can store the next batch meanwhile.
 */
@ApplicationScoped
public class ThreadStreams {

    private static final Logger LOG = Logger.getLogger(ThreadStreams.class.getName());
    static final int PAGE = 200;

    @Inject
    @ConfigProperty(name = "agentwire.events.batch-max", defaultValue = "500")
    int batchMax;

    @Inject
    @ConfigProperty(name = "agentwire.events.linger-ms", defaultValue = "2")
    int lingerMillis;

    @Inject
    @ConfigProperty(name = "agentwire.events.queue-capacity", defaultValue = "100000")
    int queueCapacity;

    @Inject
    @ConfigProperty(name = "agentwire.events.delivery-threads", defaultValue = "2")
    int deliveryThreads;

    @Inject
    @ConfigProperty(name = "agentwire.resume.max-events", defaultValue = "10000")
    int maxReplayEvents;

    @Inject
    @ConfigProperty(name = "agentwire.resume.per-user-max", defaultValue = "4")
    int replaysPerUser;

    @Inject
    @ConfigProperty(name = "agentwire.resume.threads", defaultValue = "4")
    int replayThreads;

    @Inject
    @ConfigProperty(name = "agentwire.outbox.drain-timeout-seconds", defaultValue = "10")
    int drainTimeoutSeconds;

    @Resource(lookup = SchemaMigrations.DATA_SOURCE)
    DataSource database;

    @Resource
    ManagedThreadFactory threadFactory;

    @Inject
    FrameCodec codec;

    @Inject
    ClusterNode node;

    @Inject
    EventLog log;

    @Inject
    GatewayMetrics metrics;

    /** One subscriber's view of one thread. */
    static final class Subscription {
        final Subscriber subscriber;
        long lastSeq; // guarded by this
        boolean replaying; // guarded by this

        Subscription(Subscriber subscriber, long lastSeq) {
            this.subscriber = subscriber;
            this.lastSeq = lastSeq;
        }
    }

    /** A thread's subscribers and the last seq handed to them. */
    static final class Stream {
        final Map<Subscriber, Subscription> subscriptions = new ConcurrentHashMap<>();
        volatile long lastDelivered;
    }

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final Map<Subscriber, Set<String>> threadsOf = new ConcurrentHashMap<>();
    private final Map<String, Run> runs = new ConcurrentHashMap<>();
    private final Map<Owner, Integer> replaysGoing = new ConcurrentHashMap<>(); // changed only inside compute
    private EventWriter writer;
    private ExecutorService[] lanes;
    private ThreadPoolExecutor replays;
    private volatile boolean storing = true;

    @PostConstruct
    void start() {
        requireAtLeastOne("agentwire.events.delivery-threads", deliveryThreads);
        requireAtLeastOne("agentwire.resume.per-user-max", replaysPerUser);
        requireAtLeastOne("agentwire.resume.threads", replayThreads);
        var settings = new EventWriter.Settings(batchMax, Duration.ofMillis(lingerMillis), queueCapacity, Duration.ofSeconds(2),
                node.clustered());
        lanes = new ExecutorService[deliveryThreads];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threadFactory);
        }
        replays = new ThreadPoolExecutor(replayThreads, replayThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(replayThreads * 64), threadFactory);
        replays.allowCoreThreadTimeOut(true);
        writer = new EventWriter(database, codec, settings, new WriterReports(), threadFactory, Clock.systemUTC());
        writer.start();
        if (node.clustered()) {
            node.grid().onStoredElsewhere(this::storedElsewhere);
        }
        metrics.gauge("agentwire.events.queued", "Run events waiting to be stored", writer::queued);
    }

    /**
     * Made when the application starts, on a deployment thread: the writer is running before the
     * first run, and its resources are never looked up on a thread without the application's
     * naming context (WildFly's health checks run on one: docs/platform-notes.md).
     */
    void startWithTheApplication(@Observes @Initialized(ApplicationScoped.class) Object application) {
        // observing is enough: the container creates the bean to call this
    }

    @PreDestroy
    void stop() {
        writer.stop(Duration.ofSeconds(3));
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        replays.shutdownNow();
    }

    /** The stream a run appends to; one per run. */
    public RunStream openRun(String threadId, String runId) {
        Run run = new Run(threadId, runId);
        runs.put(runId, run);
        return run;
    }

    /**
     * Ends a run that has no runner any more (its server stopped) with the event that says so.
     * The event is stored whenever the database takes it.
     */
    public void endAbandoned(String threadId, String runId, RunEventFactory closing, RunOutcome outcome) {
        writer.append(new EventAppend(threadId, runId, closing, outcome.name(), true));
    }

    /** Whether the last flush of events committed: false while events wait for the database. */
    public boolean isStoring() {
        return storing;
    }

    /** Waits until every event appended so far is stored, at most {@code timeout}; false if some still wait. */
    public boolean awaitStored(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long appended = writer.appended();
        while (writer.done() < appended) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Run events waiting to be stored. */
    public long queued() {
        return writer.queued();
    }

    /**
     * From now on, the thread's stored events reach the subscriber as they are stored. In cluster
     * mode other nodes store events of the thread too: the subscriber starts after the thread's
     * latest stored seq, and whatever it misses in between is read from the log.
     */
    public void follow(Subscriber subscriber, String threadId) {
        if (node.clustered() && !follows(subscriber, threadId)) {
            long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
            subscription(subscriber, threadId, latest);
        } else {
            subscription(subscriber, threadId);
        }
    }

    private boolean follows(Subscriber subscriber, String threadId) {
        Stream stream = streams.get(threadId);
        return stream != null && stream.subscriptions.containsKey(subscriber);
    }

    /**
     * Sends the subscriber the thread's events after {@code afterSeq} from the log, then its live
     * events. The caller checked that the thread is the subscriber's. One replay per thread and
     * subscriber at a time, at most {@code agentwire.resume.per-user-max} per user. What the
     * subscriber was sent already is not sent again: seq never goes back on a subscriber.
     */
    public void resume(Subscriber subscriber, String threadId, long afterSeq) {
        long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
        if (afterSeq > latest) {
            subscriber.send(new ServerFrame.ResumeUnavailable(threadId, afterSeq, latest, "after_seq_ahead",
                    "The thread has no event after seq " + latest + "; resume from " + latest + " or less."));
            return;
        }
        if (latest - afterSeq > maxReplayEvents) {
            subscriber.send(new ServerFrame.ResumeUnavailable(threadId, afterSeq, latest, "too_many_events",
                    "More than " + maxReplayEvents + " events were missed: load them with GET /api/threads/" + threadId
                            + "/events?after_seq=" + afterSeq + ", then resume from the last seq."));
            return;
        }
        Subscription subscription = subscription(subscriber, threadId);
        synchronized (subscription) {
            if (subscription.replaying) {
                throw new GatewayException(ErrorCode.RATE_LIMITED, "A resume of this thread is going on this connection;"
                        + " wait for its resumed frame.");
            }
            reserveReplay(subscriber.owner());
            subscription.replaying = true;
            subscription.lastSeq = Math.max(subscription.lastSeq, afterSeq); // never send a seq twice on one subscriber
        }
        try {
            replays.execute(() -> replay(subscription, threadId, true));
        } catch (RejectedExecutionException e) {
            endReplay(subscription, true);
            throw new GatewayException(ErrorCode.RATE_LIMITED, "Too many resumes are going on the server; retry shortly.");
        }
    }

    /**
     * Reads the subscriber's missing events of the thread from the log, then hands it back to the
     * live events: what another node stored reached this one as a wake-up, or a gap showed it.
     * Called holding the subscription's lock; no {@code resumed} frame, no per-user count.
     */
    private void catchUp(Subscription subscription, String threadId) {
        subscription.replaying = true;
        try {
            replays.execute(() -> replay(subscription, threadId, false));
        } catch (RejectedExecutionException e) {
            subscription.replaying = false;
            // the client reconnects and resumes from its last seq: nothing is lost
            subscription.subscriber.fail(ErrorCode.SERVER_BUSY, ErrorCode.SERVER_BUSY.message(), Ids.newId());
        }
    }

    /** The subscriber is gone: it leaves every thread it followed. */
    public void leave(Subscriber subscriber) {
        Set<String> threads = threadsOf.remove(subscriber);
        if (threads == null) {
            return;
        }
        for (String threadId : threads) {
            streams.computeIfPresent(threadId, (id, stream) -> {
                stream.subscriptions.remove(subscriber);
                return stream.subscriptions.isEmpty() ? null : stream;
            });
        }
    }

    private Subscription subscription(Subscriber subscriber, String threadId) {
        return subscription(subscriber, threadId, 0);
    }

    /** The subscriber's subscription to the thread; a new one starts after {@code lastSeq}. */
    private Subscription subscription(Subscriber subscriber, String threadId, long lastSeq) {
        Subscription[] made = new Subscription[1];
        streams.compute(threadId, (id, existing) -> {
            Stream stream = existing != null ? existing : new Stream();
            made[0] = stream.subscriptions.computeIfAbsent(subscriber, s -> new Subscription(s, lastSeq));
            return stream;
        });
        threadsOf.computeIfAbsent(subscriber, s -> ConcurrentHashMap.newKeySet()).add(threadId);
        return made[0];
    }

    /** Replays the log to the subscription until it caught up; {@code resume}: a client's resume, answered {@code resumed}. */
    private void replay(Subscription subscription, String threadId, boolean resume) {
        Subscriber subscriber = subscription.subscriber;
        Duration drainTimeout = Duration.ofSeconds(drainTimeoutSeconds);
        int replayed = 0;
        long cursor;
        synchronized (subscription) {
            cursor = subscription.lastSeq;
        }
        try {
            while (true) {
                if (!subscriber.awaitRoom(PAGE, drainTimeout)) {
                    if (subscriber.isOpen()) {
                        subscriber.fail(ErrorCode.SLOW_CONSUMER, ErrorCode.SLOW_CONSUMER.message(), Ids.newId());
                    }
                    return;
                }
                List<StoredEvent> page = log.after(threadId, cursor, PAGE);
                synchronized (subscription) {
                    for (StoredEvent event : page) {
                        if (event.seq() > subscription.lastSeq && subscriber.offer(event.payload())) {
                            subscription.lastSeq = event.seq();
                            replayed++;
                        }
                    }
                    cursor = subscription.lastSeq;
                    if (page.size() < PAGE && streamOf(threadId).lastDelivered <= cursor) {
                        // caught up: every later event is delivered live, after this point
                        subscription.replaying = false;
                        if (resume) {
                            subscriber.send(new ServerFrame.Resumed(threadId, cursor, replayed));
                        }
                        return;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            String correlationId = Ids.newId();
            LOG.log(Level.WARNING, "Replay of thread " + threadId + " failed [" + correlationId + "]", e);
            // the one way a subscriber fails: counted, and the session stays open for this code
            subscriber.fail(ErrorCode.STORAGE_UNAVAILABLE, "The replay stopped at seq " + cursor
                    + "; resume again from there.", correlationId);
        } finally {
            endReplay(subscription, resume);
        }
    }

    private Stream streamOf(String threadId) {
        Stream stream = streams.get(threadId);
        return stream != null ? stream : new Stream();
    }

    private void endReplay(Subscription subscription, boolean counted) {
        synchronized (subscription) {
            subscription.replaying = false;
        }
        if (counted) {
            replaysGoing.computeIfPresent(subscription.subscriber.owner(), (owner, going) -> going == 1 ? null : going - 1);
        }
    }

    private void reserveReplay(Owner owner) {
        boolean[] admitted = new boolean[1];
        replaysGoing.compute(owner, (id, going) -> {
            int now = going == null ? 0 : going;
            admitted[0] = now < replaysPerUser;
            return admitted[0] ? now + 1 : going;
        });
        if (!admitted[0]) {
            throw new GatewayException(ErrorCode.RATE_LIMITED, "You have " + replaysPerUser
                    + " resumes going; wait for one to finish.");
        }
    }

    /** Hands committed events to their threads' subscribers, on the thread's lane. */
    private void deliver(List<CommittedEvent> events) {
        List<List<CommittedEvent>> perLane = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) {
            perLane.add(new ArrayList<>());
        }
        for (CommittedEvent event : events) {
            perLane.get(laneOf(event.threadId())).add(event);
        }
        for (int i = 0; i < lanes.length; i++) {
            List<CommittedEvent> lane = perLane.get(i);
            if (!lane.isEmpty()) {
                lanes[i].execute(() -> lane.forEach(this::deliver));
            }
        }
    }

    /** A thread always goes through the same lane, so its events are handed on in order. */
    private int laneOf(String threadId) {
        return Math.floorMod(threadId.hashCode(), lanes.length);
    }

    private void deliver(CommittedEvent event) {
        Stream stream = streams.get(event.threadId());
        if (stream == null) {
            return;
        }
        // before the subscriptions: a replay that reads this sees it in the log
        stream.lastDelivered = Math.max(stream.lastDelivered, event.seq());
        for (Subscription subscription : stream.subscriptions.values()) {
            synchronized (subscription) {
                if (subscription.replaying || event.seq() <= subscription.lastSeq) {
                    continue;
                }
                if (event.seq() > subscription.lastSeq + 1 && node.clustered()) {
                    catchUp(subscription, event.threadId()); // another node's events came in between: from the log
                } else if (subscription.subscriber.offer(event.json())) {
                    subscription.lastSeq = event.seq();
                }
            }
        }
    }

    /** Another node stored events of these threads, up to these seqs: subscribers here read them from the log. */
    private void storedElsewhere(Map<String, Long> lastSeqs) {
        lastSeqs.forEach((threadId, seq) -> {
            if (streams.containsKey(threadId)) {
                lanes[laneOf(threadId)].execute(() -> caughtUpTo(threadId, seq));
            }
        });
    }

    private void caughtUpTo(String threadId, long seq) {
        Stream stream = streams.get(threadId);
        if (stream == null) {
            return;
        }
        stream.lastDelivered = Math.max(stream.lastDelivered, seq);
        for (Subscription subscription : stream.subscriptions.values()) {
            synchronized (subscription) {
                if (!subscription.replaying && subscription.lastSeq < seq) {
                    catchUp(subscription, threadId);
                }
            }
        }
    }

    /** A run's own view of the stream. */
    private final class Run implements RunStream {
        private final String threadId;
        private final String runId;
        private volatile boolean failed;

        Run(String threadId, String runId) {
            this.threadId = threadId;
            this.runId = runId;
        }

        @Override
        public void append(RunEventFactory event) {
            if (failed) {
                throw new StorageFailed();
            }
            if (!writer.append(new EventAppend(threadId, runId, event, null, false))) {
                fail();
                throw new StorageFailed();
            }
        }

        @Override
        public void end(RunEventFactory closing, RunOutcome outcome) {
            runs.remove(runId);
            if (!failed && !writer.append(new EventAppend(threadId, runId, closing, outcome.name(), false))) {
                fail();
            }
        }

        /** Ends the run in the log with STORAGE_UNAVAILABLE, once; the event is stored when the database takes it. */
        void fail() {
            if (failed) {
                return;
            }
            failed = true;
            runs.remove(runId);
            substituteClosing(threadId, runId);
        }
    }

    private void substituteClosing(String threadId, String runId) {
        ErrorCode code = ErrorCode.STORAGE_UNAVAILABLE;
        String correlationId = Ids.newId();
        LOG.warning(() -> "Run " + runId + " ends with STORAGE_UNAVAILABLE [" + correlationId + "]");
        writer.append(new EventAppend(threadId, runId, (run, thread, seq, at) -> new ServerFrame.AgentError(run, thread,
                seq, at, code.name(), "The run's events could not be stored; send your message again.", true, correlationId),
                RunOutcome.STORAGE_UNAVAILABLE.name(), true));
    }

    private final class WriterReports implements EventWriter.Listener {
        @Override
        public void stored(List<CommittedEvent> events) {
            deliver(events);
            if (node.clustered()) {
                Map<String, Long> lastSeqs = new HashMap<>();
                events.forEach(e -> lastSeqs.merge(e.threadId(), e.seq(), Math::max));
                node.grid().published(lastSeqs);
            }
        }

        @Override
        public void failed(Map<String, String> runThreads) {
            runThreads.forEach((runId, threadId) -> {
                Run run = runs.get(runId);
                if (run != null) {
                    run.fail();
                } else {
                    substituteClosing(threadId, runId); // it had ended: its closing event was in the failed flush
                }
            });
        }

        @Override
        public void flushed(boolean committed, int events) {
            storing = committed;
            metrics.eventsFlushed(committed, events);
        }
    }

    private static void requireAtLeastOne(String key, int value) {
        if (value < 1) {
            throw new IllegalStateException(key + " must be at least 1, but is " + value);
        }
    }
}
