package dev.agentwire.operations;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Micrometer (WildFly's micrometer subsystem, which has no MicroProfile Metrics): the
 * deployment's registry, served by the subsystem's Prometheus registry on the management port.
 * Meters are made through the registry's own {@code counter}, {@code timer} and {@code gauge}
 * methods: WildFly exported only those.
 */
@ApplicationScoped
public class MicrometerMeters implements Meters {

    @Inject
    Instance<MeterRegistry> registries;

    /** Micrometer holds a gauge's object weakly: the suppliers live here, as long as this bean. */
    private final List<Supplier<Number>> gauges = new CopyOnWriteArrayList<>();

    private MeterRegistry registry() {
        return registries.get();
    }

    @Override
    public String api() {
        return "Micrometer";
    }

    @Override
    public boolean isAvailable() {
        return registries.isResolvable();
    }

    @Override
    public void increment(String counter, String... tags) {
        registry().counter(counter, Tags.of(tags)).increment();
    }

    @Override
    public void add(String counter, long amount) {
        registry().counter(counter).increment(amount);
    }

    @Override
    public void declareTimer(String timer, String description) {
        registry().timer(timer);
    }

    @Override
    public void record(String timer, String description, Duration duration) {
        registry().timer(timer).record(duration);
    }

    @Override
    public void gauge(String name, String description, Supplier<Number> value) {
        gauges.add(value);
        registry().gauge(name, Tags.empty(), value, supplier -> supplier.get().doubleValue());
    }
}
