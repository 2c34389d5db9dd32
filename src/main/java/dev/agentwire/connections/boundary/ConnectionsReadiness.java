package dev.agentwire.connections.boundary;

import dev.agentwire.connections.control.ConnectionHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the connection factory accepts connections and has room for more.
 *
 * <p>The factory is a start-up EJB. A call to one whose start failed waits forever on WildFly
 * (and with it the management interface and SIGTERM), so the check asks the factory only once it
 * answered when the application started; until then, and when it failed, it is DOWN without a call.
 */
@Readiness
@ApplicationScoped
public class ConnectionsReadiness implements HealthCheck {

    @Inject
    ConnectionHub hub;

    private volatile boolean hubStarted;

    void atStart(@Observes @Initialized(ApplicationScoped.class) Object application) {
        try {
            hub.maxConnections();
            hubStarted = true;
        } catch (RuntimeException failedToStart) {
            // the deployment fails on its own account; this check stays DOWN
            hubStarted = false;
        }
    }

    @Override
    public HealthCheckResponse call() {
        if (!hubStarted) {
            return HealthCheckResponse.named("agentwire-connections").down().withData("accepting", false).build();
        }
        int active = hub.activeConnections();
        return HealthCheckResponse.named("agentwire-connections")
                .status(hub.isAccepting() && active < hub.maxConnections())
                .withData("accepting", hub.isAccepting())
                .withData("active", active)
                .withData("max", hub.maxConnections())
                .build();
    }
}
