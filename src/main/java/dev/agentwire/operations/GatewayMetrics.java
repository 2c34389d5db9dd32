package dev.agentwire.operations;

import dev.agentwire.kernel.RunOutcome;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The application's metrics, all prefixed {@code agentwire.}; names are listed in
 * docs/operations.md. They go to the first metrics API the server offers: MicroProfile Metrics
 * (Payara, /metrics?scope=application), else Micrometer (WildFly with its micrometer subsystem,
 * /prometheus on the management port), else nowhere, which is logged once at start-up: a server
 * without a metrics API still runs agentwire.
 */
@ApplicationScoped
public class GatewayMetrics {

    private static final Logger LOG = Logger.getLogger(GatewayMetrics.class.getName());

    @Inject
    @Any
    Instance<Meters> candidates;

    private Meters meters;

    static final String HANDSHAKE_TIME = "agentwire.handshake.time";
    static final String HANDSHAKE_TIME_DESCRIPTION = "Time from the upgrade request to the ready frame";
    static final String RUN_TIME = "agentwire.agent.run.time";
    static final String RUN_TIME_DESCRIPTION = "Time from a chat frame's run start to its last event";

    @PostConstruct
    void choose() {
        meters = candidates.stream().filter(Meters::isAvailable).findFirst().orElse(null);
        if (meters == null) {
            meters = new Unexported();
            LOG.warning("No metrics API on this server (neither MicroProfile Metrics nor Micrometer):"
                    + " agentwire's metrics are not exported");
        } else {
            LOG.info(() -> "Metrics through " + meters.api());
        }
        // made here, one at a time: Payara's timer constructor is not safe to run concurrently
        // (a ConcurrentModificationException from the first handshakes at once; platform-notes.md)
        meters.declareTimer(HANDSHAKE_TIME, HANDSHAKE_TIME_DESCRIPTION);
        meters.declareTimer(RUN_TIME, RUN_TIME_DESCRIPTION);
    }

    public void connectionOpened() {
        increment("agentwire.connections.opened");
    }

    public void connectionClosed(int closeCode) {
        increment("agentwire.connections.closed", "code", Integer.toString(closeCode));
    }

    public void errorFrame(String code) {
        increment("agentwire.error.frames", "code", code);
    }

    public void internalError() {
        increment("agentwire.internal.errors");
    }

    public void handshake(Duration duration) {
        meters.record(HANDSHAKE_TIME, HANDSHAKE_TIME_DESCRIPTION, duration);
    }

    public void agentRun(RunOutcome outcome, Duration duration) {
        increment("agentwire.agent.runs", "outcome", outcome.name().toLowerCase(Locale.ROOT));
        meters.record(RUN_TIME, RUN_TIME_DESCRIPTION, duration);
    }

    /** One flush of the event writer: a committed transaction of {@code events} events, or a failed one. */
    public void eventsFlushed(boolean committed, int events) {
        if (committed) {
            meters.increment("agentwire.events.flushes");
            meters.add("agentwire.events.stored", events);
        } else {
            meters.increment("agentwire.events.flush.failures");
        }
    }

    public void agentUnavailable() {
        increment("agentwire.agent.unavailable");
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        meters.gauge(name, description, value);
    }

    private void increment(String counter, String... tags) {
        meters.increment(counter, tags);
    }

    /** No metrics API on this server: every meter is dropped. */
    private static final class Unexported implements Meters {

        @Override
        public String api() {
            return "none";
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public void increment(String counter, String... tags) {
        }

        @Override
        public void declareTimer(String timer, String description) {
        }

        @Override
        public void add(String counter, long amount) {
        }

        @Override
        public void record(String timer, String description, Duration duration) {
        }

        @Override
        public void gauge(String name, String description, Supplier<Number> value) {
        }
    }
}
