package dev.agentwire.agents.boundary;

import dev.agentwire.agents.control.Calculator;
import dev.agentwire.agents.control.OfflineAgent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the agent backend answers; for the offline agent, when its tool works. */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {

    @Inject
    Calculator calculator;

    @Override
    public HealthCheckResponse call() {
        boolean works;
        try {
            works = "4".equals(calculator.evaluate("2+2"));
        } catch (RuntimeException e) {
            works = false;
        }
        return HealthCheckResponse.named("agentwire-agent")
                .status(works)
                .withData("backend", OfflineAgent.NAME)
                .build();
    }
}
