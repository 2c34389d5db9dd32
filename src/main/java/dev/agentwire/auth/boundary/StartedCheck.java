package dev.agentwire.auth.boundary;

import dev.agentwire.auth.control.StartupChecks;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Started once the start-up checks passed. Their outcome is read once, when the application
 * starts: they are a start-up EJB, and a call to one whose start failed waits forever on WildFly
 * (and with it the management interface), so the check itself never calls it.
 */
@Startup
@ApplicationScoped
public class StartedCheck implements HealthCheck {

    @Inject
    StartupChecks startupChecks;

    private volatile boolean passed;

    void atStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        try {
            passed = startupChecks.passed();
        } catch (RuntimeException failedToStart) {
            // StartupChecks logged what to fix and fails the deployment
            passed = false;
        }
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("agentwire-startup").status(passed).build();
    }
}
