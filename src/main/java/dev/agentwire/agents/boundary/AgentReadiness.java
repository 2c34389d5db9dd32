package dev.agentwire.agents.boundary;

import dev.agentwire.agents.control.Agent;
import dev.agentwire.agents.control.AgentBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the node can serve the configured agent's runs. A model server that fails does not
 * make the node unready: sessions and history are still served, runs end with a retryable
 * AGENT_UNAVAILABLE, and a load balancer that took the node out would never send the chat that
 * shows the backend is back. The backend's state is in the data (circuit, last call) instead.
 *
 * <p>The backend is resolved once, when the application starts, on a deployment thread: WildFly
 * runs health checks on a management thread where the application's naming context is not bound.
 */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {

    @Inject
    AgentBackend backend;

    /** The agent, asked of the start-up EJB once: an EJB whose start failed is never called again (WildFly waits forever). */
    private volatile Agent agent;

    void atStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        try {
            agent = backend.agent();
        } catch (RuntimeException failedToStart) {
            // the start-up checks report it and fail the deployment; this check is DOWN
        }
    }

    @Override
    public HealthCheckResponse call() {
        Agent agent = this.agent;
        if (agent == null) {
            return HealthCheckResponse.named("agentwire-agent").down().build();
        }
        HealthCheckResponseBuilder response = HealthCheckResponse.named("agentwire-agent")
                .status(agent.isAvailable())
                .withData("backend", agent.name());
        agent.healthData().forEach((key, value) -> {
            if (value instanceof Long number) {
                response.withData(key, number);
            } else if (value instanceof Boolean flag) {
                response.withData(key, flag);
            } else {
                response.withData(key, String.valueOf(value));
            }
        });
        return response.build();
    }
}
