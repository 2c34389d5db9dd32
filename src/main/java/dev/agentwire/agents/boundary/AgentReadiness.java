package dev.agentwire.agents.boundary;

import dev.agentwire.agents.control.AgentBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the configured agent can take runs: for a model backend, not after a failed call or while its circuit is open. */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {

    @Inject
    AgentBackend backend;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("agentwire-agent")
                .status(backend.agent().isAvailable())
                .withData("backend", backend.agent().name())
                .build();
    }
}
