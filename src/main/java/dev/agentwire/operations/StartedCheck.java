package dev.agentwire.operations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the start-up checks passed. */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {

    @Inject
    StartupChecks startupChecks;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("agentwire-startup").status(startupChecks.passed()).build();
    }
}
