package dev.agentwire.operations;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.function.Supplier;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.MetricUnits;
import org.eclipse.microprofile.metrics.Tag;

/**
 * MicroProfile Metrics (Payara): the application registry, served at /metrics?scope=application.
 * The registry comes through an injected {@code Instance}, not {@code CDI.current()}: Payara's
 * producer reads the injection point, which a programmatic lookup does not have (NPE).
 */
@ApplicationScoped
public class MicroProfileMeters implements Meters {

    @Inject
    Instance<MetricRegistry> registries;

    private MetricRegistry registry() {
        return registries.get();
    }

    @Override
    public String api() {
        return "MicroProfile Metrics";
    }

    @Override
    public boolean isAvailable() {
        return registries.isResolvable();
    }

    @Override
    public void increment(String counter, String... tags) {
        registry().counter(counter, tags(tags)).inc();
    }

    @Override
    public void add(String counter, long amount) {
        registry().counter(counter).inc(amount);
    }

    @Override
    public void declareTimer(String timer, String description) {
        registry().timer(metadata(timer, description));
    }

    /** Recorded in nanoseconds, exported in seconds; see the buckets in microprofile-config.properties. */
    @Override
    public void record(String timer, String description, Duration duration) {
        registry().timer(metadata(timer, description)).update(duration);
    }

    private static Metadata metadata(String timer, String description) {
        return Metadata.builder().withName(timer).withDescription(description).withUnit(MetricUnits.NANOSECONDS).build();
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value) {
        registry().gauge(Metadata.builder().withName(name).withDescription(description)
                .withUnit(MetricUnits.NONE).build(), value);
    }

    private static Tag[] tags(String... pairs) {
        Tag[] tags = new Tag[pairs.length / 2];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = new Tag(pairs[2 * i], pairs[2 * i + 1]);
        }
        return tags;
    }
}
