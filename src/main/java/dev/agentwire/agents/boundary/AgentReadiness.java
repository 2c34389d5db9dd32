package dev.agentwire.agents.boundary;

import dev.agentwire.agents.control.AgentRuns;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the configured agent can take runs: for a model backend, not after a failed call or
 * while its circuit is open.
 *
 * <p>The runs are made when the application starts, so their managed thread factory is resolved on
 * a deployment thread: WildFly runs health checks on a management thread where the application's
 * naming context is not bound.
 */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {

    @Inject
    AgentRuns runs;

    void atStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        try {
            runs.agent();
        } catch (RuntimeException failedToStart) {
            // the start-up checks report it and fail the deployment; this check is DOWN
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("agentwire-agent")
                .status(runs.agent().isAvailable())
                .withData("backend", runs.agent().name())
                .build();
    }
}
