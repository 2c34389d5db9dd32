package dev.agentwire.agents.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.connections.entity.ShuttingDown;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.EventLog;
import dev.agentwire.threads.control.ThreadOrder;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Runs agents off the WebSocket thread, at most {@code agentwire.runs.per-user-max} at a time
 * per user, and lets a user cancel their runs. A run that fails ends with agent_error; the
 * session is never closed for it.
 *
 * <p>The runs go to a pool of this bean's own, on threads made by the platform's
 * {@link ManagedThreadFactory}: each thread captures the application's context once, when it is
 * made. Submitting to a managed executor captures it for every task, and on Payara that is a
 * class-path scan ({@code ServiceLoader}), the largest single cost of a chat once the server was
 * warm (docs/benchmarks.md).
 */
@ApplicationScoped
public class AgentRuns {

    private static final Logger LOG = Logger.getLogger(AgentRuns.class.getName());
    static final int HISTORY_MESSAGES = 20;

    /** A reserved place for one run of a user; release it if the run does not start. */
    public final class Slot {
        private final String userId;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String userId) {
            this.userId = userId;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                runsPerUser.computeIfPresent(userId, (user, count) -> count == 1 ? null : count - 1);
            }
        }
    }

    private record Running(UserContext run, AtomicBoolean cancelled, Future<?> future) {
    }

    @Inject
    @ConfigProperty(name = "agentwire.agent.backend", defaultValue = "offline")
    String backend;

    @Inject
    @ConfigProperty(name = "agentwire.runs.per-user-max", defaultValue = "2")
    int perUserMax;

    @Inject
    @ConfigProperty(name = "agentwire.runs.threads", defaultValue = "64")
    int threads;

    @Resource
    ManagedThreadFactory threadFactory;

    @Inject
    Instance<OfflineAgent> offlineAgent;

    @Inject
    Instance<OpenAiAgent> openAiAgent;

    @Inject
    EventLog log;

    @Inject
    Conversations conversations;

    @Inject
    ThreadOrder order;

    @Inject
    ConnectionHub hub;

    @Inject
    GatewayMetrics metrics;

    private Agent agent;
    private ThreadPoolExecutor executor;
    private volatile boolean stopping;
    private final Map<String, Integer> runsPerUser = new ConcurrentHashMap<>(); // changed only inside compute
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    @PostConstruct
    void prepare() {
        if (perUserMax < 1) {
            throw new IllegalStateException("agentwire.runs.per-user-max must be at least 1, but is " + perUserMax);
        }
        if (threads < 1) {
            throw new IllegalStateException("agentwire.runs.threads must be at least 1, but is " + threads);
        }
        agent = switch (backend) {
            case "offline" -> offlineAgent.get();
            case "openai" -> openAiAgent.get();
            default -> throw new IllegalStateException("agentwire.agent.backend must be offline or openai, not " + backend);
        };
        // runs beyond the threads wait in the queue; the per-user limit bounds how many there can be
        executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threadFactory);
        executor.allowCoreThreadTimeOut(true);
    }

    @PreDestroy
    void stopThreads() {
        executor.shutdownNow();
    }

    public Agent agent() {
        return agent;
    }

    /** Reserves a run for the user, or refuses with RATE_LIMITED when they have too many going. */
    public Slot reserve(UserContext user) {
        boolean[] admitted = new boolean[1];
        runsPerUser.compute(user.userId(), (id, count) -> {
            int going = count == null ? 0 : count;
            admitted[0] = going < perUserMax;
            return admitted[0] ? going + 1 : count;
        });
        if (!admitted[0]) {
            throw new GatewayException(ErrorCode.RATE_LIMITED, "You already have " + perUserMax
                    + " runs going; wait for one to finish or cancel it.");
        }
        return new Slot(user.userId());
    }

    /** Starts the run answering the message stored as {@code messageId}. */
    public void start(Slot slot, UserContext run, String message, long messageId) {
        var cancelled = new AtomicBoolean();
        RunEvents events = new RunEvents(run, log, conversations, hub, order, cancelled::get, () -> {
            running.remove(run.runId());
            slot.release();
        });
        // registered before it can start, so a cancel or the run's own end always finds it
        FutureTask<Void> task = new FutureTask<>(() -> execute(slot, run, message, messageId, events), null);
        running.put(run.runId(), new Running(run, cancelled, task));
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            running.remove(run.runId());
            slot.release();
            throw new GatewayException(ErrorCode.AGENT_UNAVAILABLE);
        }
    }

    /** Cancels one of the user's runs; another user's run is indistinguishable from none. */
    public void cancel(UserContext user, String runId) {
        Running target = running.get(runId);
        if (target == null || !target.run().userId().equals(user.userId())) {
            throw new GatewayException(ErrorCode.RUN_NOT_FOUND);
        }
        target.cancelled().set(true);
        target.future().cancel(true);
    }

    private void execute(Slot slot, UserContext run, String message, long messageId, RunEvents events) {
        long started = System.nanoTime();
        String outcome = RunEvents.COMPLETED;
        try {
            List<Agent.Turn> history = !agent.readsHistory() ? List.of()
                    : conversations.before(run.threadId(), messageId, HISTORY_MESSAGES).stream()
                            .map(m -> new Agent.Turn(m.role().name(), m.text()))
                            .toList();
            agent.run(new Agent.Request(history, message), events);
        } catch (RuntimeException e) {
            outcome = end(run, events, e);
        } catch (StackOverflowError e) {
            outcome = end(run, events, new IllegalStateException("the agent overflowed its stack", e));
        } finally {
            running.remove(run.runId());
            slot.release();
            synchronized (order.lockFor(run.threadId())) {
                log.runEnded(run.threadId());
            }
            metrics.agentRun(outcome, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /**
     * On shutdown, before sessions close, stops every run. Their closing events cannot be stored
     * now (Payara has already closed the data source); {@code RunRecovery} stores them at the next
     * start, as it does after a crash.
     */
    void stopRuns(@Observes ShuttingDown shutdown) {
        stopping = true;
        running.values().forEach(run -> {
            run.cancelled().set(true);
            run.future().cancel(true);
        });
    }

    /** Ends a run that did not complete, with the event that says why; returns the outcome. */
    private String end(UserContext run, RunEvents events, RuntimeException e) {
        Running entry = running.get(run.runId());
        boolean cancelled = e instanceof RunEvents.RunCancelledException || (entry != null && entry.cancelled().get());
        Thread.interrupted(); // a cancel interrupts the worker; the closing event must still be stored
        try {
            if (stopping) {
                return "interrupted"; // RunRecovery stores the closing event at the next start
            }
            if (cancelled) {
                events.cancelledEnd();
                return RunEvents.CANCELLED;
            }
            String correlationId = Ids.newId();
            if (e instanceof AgentUnavailableException unavailable) {
                metrics.agentUnavailable();
                LOG.log(Level.WARNING, "Agent unavailable for run " + run.runId() + " [" + correlationId + "]: "
                        + unavailable.getMessage());
                events.failedEnd(ErrorCode.AGENT_UNAVAILABLE, unavailable.getMessage(), correlationId);
                return "unavailable";
            }
            LOG.log(Level.WARNING, "Agent run " + run.runId() + " of user " + run.userId()
                    + " failed [" + correlationId + "]", e);
            events.failedEnd(ErrorCode.AGENT_FAILED, ErrorCode.AGENT_FAILED.message(), correlationId);
            return "failed";
        } catch (RuntimeException storageDown) {
            LOG.log(Level.WARNING, "Run " + run.runId() + " ended without its closing event: storage failed", storageDown);
            return "lost";
        }
    }
}
