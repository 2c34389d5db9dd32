package dev.agentwire.operations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.agentwire.kernel.RunOutcome;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The application's MicroProfile metrics, all prefixed {@code agentwire.}; served at
 * /metrics?scope=application. Metric names are listed in docs/operations.md.
 */
@ApplicationScoped
public class GatewayMetrics {

    @Inject
    MetricRegistry registry;

    public void connectionOpened() {
        registry.counter("agentwire.connections.opened").inc();
    }

    public void connectionClosed(int closeCode) {
        registry.counter("agentwire.connections.closed", new Tag("code", Integer.toString(closeCode))).inc();
    }

    public void errorFrame(String code) {
        registry.counter("agentwire.error.frames", new Tag("code", code)).inc();
    }

    public void internalError() {
        registry.counter("agentwire.internal.errors").inc();
    }

    public void handshake(Duration duration) {
        registry.timer(Metadata.builder().withName("agentwire.handshake.time")
                .withDescription("Time from the upgrade request to the ready frame")
                .withUnit(MetricUnits.NANOSECONDS).build())
                .update(duration);
    }

    public void agentRun(RunOutcome outcome, Duration duration) {
        registry.counter("agentwire.agent.runs", new Tag("outcome", outcome.name().toLowerCase(Locale.ROOT))).inc();
        registry.timer(Metadata.builder().withName("agentwire.agent.run.time")
                .withDescription("Time from a chat frame's run start to its last event")
                .withUnit(MetricUnits.NANOSECONDS).build()).update(duration);
    }

    /** One flush of the event writer: a committed transaction of {@code events} events, or a failed one. */
    public void eventsFlushed(boolean committed, int events) {
        if (committed) {
            registry.counter("agentwire.events.flushes").inc();
            registry.counter("agentwire.events.stored").inc(events);
        } else {
            registry.counter("agentwire.events.flush.failures").inc();
        }
    }

    public void agentUnavailable() {
        registry.counter("agentwire.agent.unavailable").inc();
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        registry.gauge(Metadata.builder().withName(name).withDescription(description)
                .withUnit(MetricUnits.NONE).build(), value);
    }
}
