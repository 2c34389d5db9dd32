package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.nothingFor;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Capacity and memory: idle authenticated connections are opened in steps
 * ({@code bench.capacity.steps}, default 1000,5000,10000) and held. At each plateau a probe
 * thread (outside Gatling's event loop) runs a full GC in the server and reads the heap in use
 * ({@code jcmd GC.run}, {@code GC.heap_info}; Node: {@code global.gc()} and heapUsed) and the
 * resident set. Heap per connection = (heap at N - heap at 0) / N, plus the cost of the last
 * step alone. Every user holds its connection until the last measurement, then closes.
 */
public class CapacitySimulation extends Simulation {

    static final int[] STEPS = Arrays.stream(System.getProperty("bench.capacity.steps",
                    Boolean.getBoolean("bench.quick") ? "200,500" : "1000,5000,10000").split(","))
            .mapToInt(Integer::parseInt).toArray();
    /** Connections opened per second while ramping. */
    static final int RAMP_RATE = Integer.getInteger("bench.capacity.rate", 400);
    static final int HOLD_SECONDS = Integer.getInteger("bench.capacity.hold", 10);

    static final AtomicLong OPEN = new AtomicLong();
    static final AtomicLong KO = new AtomicLong();
    static final AtomicBoolean RELEASE = new AtomicBoolean();
    private final LinkedHashMap<String, Object> figures = new LinkedHashMap<>();
    private Thread probe;

    ScenarioBuilder hold = scenario("capacity")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .exec(session -> {
                (session.isFailed() ? KO : OPEN).incrementAndGet();
                return session;
            })
            .exitHereIfFailed()
            .exec(asLongAs(session -> !RELEASE.get()).on(io.gatling.javaapi.core.CoreDsl.pause(Duration.ofSeconds(2))))
            .exec(Steps.close());

    {
        List<OpenInjectionStep> injection = new ArrayList<>();
        int previous = 0;
        for (int step : STEPS) {
            int users = step - previous;
            injection.add(rampUsers(users).during(Duration.ofMillis(Math.max(1000, users * 1000L / RAMP_RATE))));
            injection.add(nothingFor(Duration.ofSeconds(HOLD_SECONDS)));
            previous = step;
        }
        setUp(hold.injectOpen(injection)).protocols(Steps.protocol())
                .maxDuration(Duration.ofMinutes(15));
    }

    @Override
    public void before() {
        long heap0 = Probe.heapAfterFullGc();
        figures.put("heap_bytes_0", heap0);
        histogram("histogram-0.txt");
        figures.put("rss_kib_0", Probe.rssKib());
        probe = new Thread(() -> measure(heap0), "capacity-probe");
        probe.setDaemon(true);
        probe.start();
    }

    private void measure(long heap0) {
        try {
            long previousHeap = heap0;
            long previousOpen = 0;
            for (int step : STEPS) {
                // wait until the step's connections are open (or failed), then for the plateau to settle
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (OPEN.get() + KO.get() < step && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                Thread.sleep(2000);
                long open = OPEN.get();
                long heap = Probe.heapAfterFullGc();
                long rss = Probe.rssKib();
                figures.put("open_" + step, open);
                figures.put("ko_" + step, KO.get());
                figures.put("heap_bytes_" + step, heap);
                figures.put("rss_kib_" + step, rss);
                figures.put("heap_bytes_per_conn_" + step, open == 0 ? "" : (heap - heap0) / open);
                figures.put("step_heap_bytes_per_conn_" + step,
                        open == previousOpen ? "" : (heap - previousHeap) / (open - previousOpen));
                figures.put("rss_bytes_per_conn_" + step,
                        open == 0 ? "" : (rss - (long) figures.get("rss_kib_0")) * 1024 / open);
                if (step == STEPS[STEPS.length - 1]) {
                    histogram("histogram-" + step + ".txt");
                }
                previousHeap = heap;
                previousOpen = open;
                System.out.println("[bench] capacity step " + step + ": open=" + open + " ko=" + KO.get()
                        + " heap=" + heap + " rss=" + rss + "KiB");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            RELEASE.set(true);
        }
    }

    /** The live-object class histogram next to the result file (JVM targets only): where the memory goes. */
    private static void histogram(String name) {
        if (!Probe.NODE_STATS.isEmpty() || Probe.PID <= 0) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(Probe.OUT.toAbsolutePath().getParent());
            java.nio.file.Files.writeString(Probe.OUT.resolveSibling(
                    Probe.OUT.getFileName().toString().replace(".properties", "") + "-" + name),
                    Probe.jcmd("GC.class_histogram"));
        } catch (java.io.IOException e) {
            System.out.println("[bench] no histogram: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void after() {
        RELEASE.set(true);
        try {
            probe.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        figures.put("steps", Arrays.toString(STEPS).replace(" ", ""));
        figures.put("max_open", OPEN.get());
        figures.put("ko", KO.get());
        Probe.write(figures);
    }
}
