package dev.agentwire.streams.control;

import dev.agentwire.cluster.control.Peers;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.SchemaMigrations;
import dev.agentwire.threads.control.StorageFailures;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The event stream of every thread: the one owner of a thread's events. Runs append to it
 * ({@link #openRun}, through {@link RunStreams}); it numbers and stores them (the
 * {@link EventWriter}) and only then hands each event to the thread's subscribers, in seq order,
 * on the thread's {@link DeliveryLanes lane}; a subscriber that resumes is replayed the log and
 * handed over to the live events without a gap or a duplicate ({@link Replays}).
 *
 * <p>Per subscriber and thread a {@link Subscriptions.Subscription} remembers the last seq sent,
 * so seq never goes back and nothing is sent twice. In cluster mode other nodes store events of
 * the same threads: their wake-ups, or a gap in the seqs, make a subscriber here catch up from
 * the log.
 */
@ApplicationScoped
public class ThreadStreams {

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
    Peers peers;

    @Inject
    EventLog log;

    @Inject
    GatewayMetrics metrics;

    private final Subscriptions subscriptions = new Subscriptions();
    private EventWriter writer;
    private RunStreams runs;
    private DeliveryLanes lanes;
    private Replays replays;
    private volatile boolean storing = true;

    @PostConstruct
    void start() {
        requireAtLeastOne("agentwire.events.delivery-threads", deliveryThreads);
        requireAtLeastOne("agentwire.resume.per-user-max", replaysPerUser);
        requireAtLeastOne("agentwire.resume.threads", replayThreads);
        var settings = new EventWriter.Settings(batchMax, Duration.ofMillis(lingerMillis), queueCapacity, Duration.ofSeconds(2),
                peers.shareTheDatabase());
        lanes = new DeliveryLanes(deliveryThreads, threadFactory);
        replays = new Replays(log, subscriptions, new ReplayQuota(replaysPerUser), maxReplayEvents,
                Duration.ofSeconds(drainTimeoutSeconds), replayThreads, threadFactory);
        writer = new EventWriter(database, codec, settings, new WriterReports(), threadFactory, Clock.systemUTC());
        runs = new RunStreams(writer::append);
        writer.start();
        peers.onStoredElsewhere(this::storedElsewhere);
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
        lanes.shutdown();
        replays.shutdown();
    }

    /** The stream a run appends to; one per run. */
    public RunStream openRun(String threadId, String runId) {
        return runs.open(threadId, runId);
    }

    /**
     * Adds an event to a run that has no runner any more (its server stopped), before its closing
     * event ({@link #endAbandoned}); stored whenever the database takes it, in the order appended.
     */
    public void appendAbandoned(String threadId, String runId, RunEventFactory event) {
        runs.appendAbandoned(threadId, runId, event);
    }

    /**
     * Ends a run that has no runner any more (its server stopped) with the event that says so.
     * The event is stored whenever the database takes it.
     */
    public void endAbandoned(String threadId, String runId, RunEventFactory closing, RunOutcome outcome) {
        runs.endAbandoned(threadId, runId, closing, outcome);
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
        if (peers.shareTheDatabase() && !subscriptions.follows(subscriber, threadId)) {
            long latest = StorageFailures.translate(() -> log.latestSeq(threadId));
            subscriptions.subscribe(subscriber, threadId, latest);
        } else {
            subscriptions.subscribe(subscriber, threadId, 0);
        }
    }

    /**
     * Sends the subscriber the thread's events after {@code afterSeq} from the log, then its live
     * events ({@link Replays#resume}). The caller checked that the thread is the subscriber's. At
     * most {@code agentwire.resume.per-user-max} per user at a time.
     */
    public void resume(Subscriber subscriber, String threadId, long afterSeq) {
        replays.resume(subscriber, threadId, afterSeq);
    }

    /** The subscriber is gone: it leaves every thread it followed. */
    public void leave(Subscriber subscriber) {
        subscriptions.leave(subscriber);
    }

    private void deliver(CommittedEvent event) {
        Subscriptions.Stream stream = subscriptions.of(event.threadId());
        if (stream == null) {
            return;
        }
        // before the subscriptions: a replay that reads this sees it in the log
        stream.lastDelivered = Math.max(stream.lastDelivered, event.seq());
        for (Subscriptions.Subscription subscription : stream.subscriptions.values()) {
            synchronized (subscription) {
                if (subscription.replaying || event.seq() <= subscription.lastSeq) {
                    continue;
                }
                if (event.seq() > subscription.lastSeq + 1 && peers.shareTheDatabase()) {
                    replays.catchUp(subscription, event.threadId()); // another node's events came in between: from the log
                } else if (subscription.subscriber.offer(event.json())) {
                    subscription.lastSeq = event.seq();
                }
            }
        }
    }

    /** Another node stored events of these threads, up to these seqs: subscribers here read them from the log. */
    private void storedElsewhere(Map<String, Long> lastSeqs) {
        lastSeqs.forEach((threadId, seq) -> {
            if (subscriptions.of(threadId) != null) {
                lanes.execute(threadId, () -> caughtUpTo(threadId, seq));
            }
        });
    }

    private void caughtUpTo(String threadId, long seq) {
        Subscriptions.Stream stream = subscriptions.of(threadId);
        if (stream == null) {
            return;
        }
        stream.lastDelivered = Math.max(stream.lastDelivered, seq);
        for (Subscriptions.Subscription subscription : stream.subscriptions.values()) {
            synchronized (subscription) {
                if (!subscription.replaying && subscription.lastSeq < seq) {
                    replays.catchUp(subscription, threadId);
                }
            }
        }
    }

    private final class WriterReports implements EventWriter.Listener {
        @Override
        public void stored(List<CommittedEvent> events) {
            lanes.deliver(events, ThreadStreams.this::deliver);
            Map<String, Long> lastSeqs = new HashMap<>();
            events.forEach(e -> lastSeqs.merge(e.threadId(), e.seq(), Math::max));
            peers.published(lastSeqs);
        }

        @Override
        public void failed(Map<String, String> runThreads) {
            runs.failed(runThreads);
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
