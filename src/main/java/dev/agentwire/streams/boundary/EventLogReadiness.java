package dev.agentwire.streams.boundary;

import dev.agentwire.streams.control.ThreadStreams;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while run events are being stored: DOWN from a failed flush until one commits again. */
@Readiness
@ApplicationScoped
public class EventLogReadiness implements HealthCheck {

    @Inject
    ThreadStreams streams;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("agentwire-event-log")
                .status(streams.isStoring())
                .withData("queued", streams.queued())
                .build();
    }
}
