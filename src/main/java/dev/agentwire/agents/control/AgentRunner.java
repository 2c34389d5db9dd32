package dev.agentwire.agents.control;

import dev.agentwire.approvals.entity.ToolApproval;
import dev.agentwire.connections.entity.ShuttingDown;
import dev.agentwire.kernel.Ids;
import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.streams.control.RunStream;
import dev.agentwire.streams.control.ThreadStreams;
import dev.agentwire.threads.control.Conversations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
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
 * Runs agents off the WebSocket thread and ends every run with exactly one closing event; a run
 * that fails ends with agent_error, and the session is never closed for it.
 *
 * <p>The runs go to a pool of this bean's own, on threads made by the platform's
 * {@link ManagedThreadFactory}: each thread captures the application's context once, when it is
 * made, rather than once per task (see docs/platform-notes.md). Its queue is bounded by the run
 * slots ({@link RunSlots}): a run is only submitted with a slot.
 */
@ApplicationScoped
public class AgentRunner {

    private static final Logger LOG = Logger.getLogger(AgentRunner.class.getName());
    static final int HISTORY_MESSAGES = 20;

    @Inject
    @ConfigProperty(name = "agentwire.runs.threads", defaultValue = "64")
    int threads;

    @Resource
    ManagedThreadFactory threadFactory;

    @Inject
    AgentBackend backend;

    @Inject
    RunSlots slots;

    @Inject
    RunningRuns running;

    @Inject
    ThreadStreams streams;

    @Inject
    Conversations conversations;

    @Inject
    GatewayMetrics metrics;

    @Inject
    AgentOutput output;

    @Inject
    ApprovalResolution resolution;

    private ThreadPoolExecutor executor;

    @PostConstruct
    void prepare() {
        if (threads < 1) {
            throw new IllegalStateException("agentwire.runs.threads must be at least 1, but is " + threads);
        }
        executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(Math.max(1, slots.max())), threadFactory);
        executor.allowCoreThreadTimeOut(true);
    }

    @PreDestroy
    void stopThreads() {
        executor.shutdownNow();
    }

    /**
     * Starts the run that answers the message stored as {@code messageId}; the run owns the slot
     * from now on. A run that cannot start ends at once with agent_error AGENT_UNAVAILABLE.
     */
    public void start(RunSlots.Slot slot, UserContext run, Agent.Turn message, List<Agent.ClientTool> clientTools, long messageId) {
        launch(slot, run, events -> answer(run, message, clientTools, messageId, events));
    }

    /**
     * Starts the run that continues a thread with a person's answer to an interrupt; the run owns
     * the slot from now on. It reports the answer (approval_resolved), runs an approved call once
     * (the interrupt's executing step decides that, in the database), stores the call's result (or
     * the rejection) as the thread's tool message for the call, and lets the agent go on from it.
     */
    public void continueWith(RunSlots.Slot slot, UserContext run, ToolApproval answered) {
        launch(slot, run, events -> {
            events.started(backend.agent().name());
            String result = resolution.carryOut(run, answered, events);
            long messageId = conversations.toolResult(run.threadId(), run.owner(), result, answered.toolCallId());
            answer(run, new Agent.Turn("tool", result, answered.toolCallId(), null), List.of(), messageId, new Continuing(events));
        });
    }

    /** A continuing run's events, whose agent_started was reported before the agent took over. */
    private static final class Continuing extends RunEvents {
        Continuing(RunEvents events) {
            super(events);
        }

        @Override
        public void started(String agent) {
            // reported already, before approval_resolved
        }
    }

    private void launch(RunSlots.Slot slot, UserContext run, java.util.function.Consumer<RunEvents> body) {
        var cancelled = new AtomicBoolean();
        RunStream stream = streams.openRun(run.threadId(), run.runId());
        RunEvents events = new RunEvents(run.threadId(), stream, conversations, output, cancelled::get, () -> {
            running.unregister(run.runId());
            slot.release();
        });
        FutureTask<Void> task = new FutureTask<>(() -> execute(run, events, body), null);
        running.register(run.runId(), run.owner(), cancelled, task);
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            ErrorCode code = ErrorCode.AGENT_UNAVAILABLE;
            events.failedEnd(code, code.message(), Ids.newId(), RunOutcome.UNAVAILABLE);
            metrics.agentRun(RunOutcome.UNAVAILABLE, Duration.ZERO);
        }
    }

    /** On shutdown, before sessions close, stops every run; recovery ends them at the next start. */
    void stopRuns(@Observes ShuttingDown shutdown) {
        running.stopAll();
    }

    /** The agent answers {@code message}, stored as {@code messageId}, with the thread's history before it. */
    private void answer(UserContext run, Agent.Turn message, List<Agent.ClientTool> clientTools, long messageId, RunEvents events) {
        Agent agent = backend.agent();
        List<Agent.Turn> history = !agent.readsHistory() ? List.of()
                : conversations.before(run.threadId(), messageId, HISTORY_MESSAGES).stream()
                        .map(m -> new Agent.Turn(m.role().name(), m.text(), m.toolCallId(), m.toolCalls()))
                        .toList();
        agent.run(new Agent.Request(history, message, clientTools, run), events);
    }

    private void execute(UserContext run, RunEvents events, java.util.function.Consumer<RunEvents> body) {
        long started = System.nanoTime();
        RunOutcome outcome = RunOutcome.COMPLETED;
        try {
            body.accept(events);
            if (!events.hasEnded()) {
                throw new IllegalStateException("the agent returned without completing the run");
            }
        } catch (RuntimeException e) {
            outcome = end(run, events, e);
        } catch (StackOverflowError e) {
            outcome = end(run, events, new IllegalStateException("the agent overflowed its stack", e));
        } finally {
            if (outcome == RunOutcome.INTERRUPTED) {
                events.abandon();
            } else if (!events.hasEnded()) {
                ErrorCode code = ErrorCode.AGENT_FAILED;
                events.failedEnd(code, code.message(), Ids.newId(), RunOutcome.FAILED); // whatever happened, it ends
            }
            running.unregister(run.runId());
            metrics.agentRun(outcome, Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** Ends a run that did not complete, with the event that says why; returns the outcome. */
    private RunOutcome end(UserContext run, RunEvents events, RuntimeException e) {
        Thread.interrupted(); // a cancel interrupts the worker; the closing event must still be appended
        if (e instanceof RunStream.StorageFailed) {
            return RunOutcome.STORAGE_UNAVAILABLE; // the stream has ended the run
        }
        if (e instanceof RunEvents.OutputRefused) {
            return RunOutcome.FAILED; // the run's events ended it with AGENT_OUTPUT_TOO_LARGE
        }
        if (running.isStopping()) {
            return RunOutcome.INTERRUPTED; // recovery appends the closing event at the next start
        }
        if (e instanceof RunEvents.RunCancelledException || events.isCancelled()) {
            events.cancelledEnd();
            return RunOutcome.CANCELLED;
        }
        String correlationId = Ids.newId();
        if (e instanceof AgentUnavailableException unavailable) {
            metrics.agentUnavailable();
            LOG.log(Level.WARNING, "Agent unavailable for run " + run.runId() + " [" + correlationId + "]: "
                    + unavailable.getMessage() + " (" + causeOf(unavailable) + ")");
            events.failedEnd(ErrorCode.AGENT_UNAVAILABLE, unavailable.getMessage(), correlationId,
                    unavailable.retryAfter().map(Duration::toSeconds).orElse(null), RunOutcome.UNAVAILABLE);
            return RunOutcome.UNAVAILABLE;
        }
        LOG.log(Level.WARNING, "Agent run " + run.runId() + " of user " + run.userId()
                + " failed [" + correlationId + "]", e);
        events.failedEnd(ErrorCode.AGENT_FAILED, ErrorCode.AGENT_FAILED.message(), correlationId, RunOutcome.FAILED);
        return RunOutcome.FAILED;
    }

    /** The underlying failure, for the log only (never for a frame): what the backend did. */
    private static String causeOf(Throwable failure) {
        Throwable cause = failure.getCause();
        while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == null ? "no cause" : cause.getClass().getName() + ": " + cause.getMessage();
    }
}
