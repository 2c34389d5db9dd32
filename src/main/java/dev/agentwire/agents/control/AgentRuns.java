package dev.agentwire.agents.control;

import dev.agentwire.connections.control.ConnectionHub;
import dev.agentwire.connections.entity.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Starts agent runs off the WebSocket thread. A run that throws ends with an agent_error event;
 * the session is never closed for it.
 */
@ApplicationScoped
public class AgentRuns {

    private static final Logger LOG = Logger.getLogger(AgentRuns.class.getName());

    @Resource
    ManagedExecutorService executor;

    @Inject
    OfflineAgent agent;

    @Inject
    ThreadSequences sequences;

    @Inject
    ConnectionHub hub;

    @Inject
    GatewayMetrics metrics;

    private final Clock clock = Clock.systemUTC();

    public void start(UserContext run, String message) {
        RunEvents events = new RunEvents(run, sequences, hub, clock);
        try {
            executor.execute(() -> execute(run, message, events));
        } catch (RejectedExecutionException e) {
            throw new GatewayException(ErrorCode.AGENT_UNAVAILABLE);
        }
    }

    private void execute(UserContext run, String message, RunEvents events) {
        long started = System.nanoTime();
        String outcome = "completed";
        try {
            agent.run(message, events);
        } catch (RuntimeException e) {
            outcome = "failed";
            String correlationId = UserContext.newId();
            LOG.log(Level.WARNING, "Agent run " + run.runId() + " of user " + run.userId()
                    + " failed [" + correlationId + "]", e);
            events.failed(ErrorCode.AGENT_FAILED, correlationId);
        } finally {
            metrics.agentRun(outcome, Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
