package dev.agentwire.connections.boundary;

import dev.agentwire.connections.control.ConnectionHub;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the connection factory accepts connections and has room for more. */
@Readiness
@ApplicationScoped
public class ConnectionsReadiness implements HealthCheck {

    @Inject
    ConnectionHub hub;

    @Override
    public HealthCheckResponse call() {
        int active = hub.activeConnections();
        return HealthCheckResponse.named("agentwire-connections")
                .status(hub.isAccepting() && active < hub.maxConnections())
                .withData("accepting", hub.isAccepting())
                .withData("active", active)
                .withData("max", hub.maxConnections())
                .build();
    }
}
