package dev.agentwire.operations;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * A metrics API the server offers, as {@link GatewayMetrics} uses it. Each implementation is a
 * CDI bean that names that API's types: where the server lacks the API, its class cannot load and
 * it is no bean at all, so the deployment never depends on it.
 *
 * <p>Names are dotted ({@code agentwire.connections.opened}); each API exports them in its own
 * Prometheus form. Tags are name, value pairs.
 */
public interface Meters {

    /** The API's name, for the start-up log. */
    String api();

    /** Whether the server provides a registry for it (the API's classes alone are not enough). */
    boolean isAvailable();

    void increment(String counter, String... tags);

    /** Adds {@code amount} to an untagged counter. */
    void add(String counter, long amount);

    /** Creates the timer, so that the first {@link #record} calls, made at once, find it. */
    void declareTimer(String timer, String description);

    void record(String timer, String description, Duration duration);

    /** A gauge read at every scrape; the value's supplier is kept for as long as the application runs. */
    void gauge(String name, String description, Supplier<Number> value);
}
