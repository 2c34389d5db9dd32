package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Handshake rate: a closed model of {@code bench.handshake.users} clients, each opening a
 * connection (upgrade, then {@code ready} on agentwire) and closing it, again and again for
 * {@code bench.handshake.seconds}. Figures: handshakes/s, the p50/p99 of "handshake" (Gatling's
 * report), and the server CPU per handshake (connect + close) from /proc.
 */
public class HandshakeSimulation extends Simulation {

    static final int USERS = Probe.intProp("bench.handshake.users", 10, 20);
    static final int SECONDS = Probe.intProp("bench.handshake.seconds", 5, 15);

    static final AtomicLong OK = new AtomicLong();
    static final AtomicLong KO = new AtomicLong();
    private long cpuStart;
    private long wallStart;

    ScenarioBuilder handshakes = scenario("handshake")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .exec(session -> {
                (session.isFailed() ? KO : OK).incrementAndGet();
                return session;
            })
            .exec(Steps.close());

    {
        setUp(handshakes.injectClosed(constantConcurrentUsers(USERS).during(Duration.ofSeconds(SECONDS))))
                .protocols(Steps.protocol());
    }

    @Override
    public void before() {
        cpuStart = Probe.cpuMillis();
        wallStart = System.nanoTime();
    }

    @Override
    public void after() {
        long cpu = Probe.cpuMillis() - cpuStart;
        double seconds = (System.nanoTime() - wallStart) / 1e9;
        var figures = new LinkedHashMap<String, Object>();
        figures.put("users", USERS);
        figures.put("seconds", String.format("%.3f", seconds));
        figures.put("ok", OK.get());
        figures.put("ko", KO.get());
        figures.put("rate", String.format("%.1f", OK.get() / seconds));
        figures.put("server_cpu_ms", cpu);
        figures.put("cpu_ms_per_handshake", OK.get() == 0 ? "" : String.format("%.4f", (double) cpu / OK.get()));
        Probe.write(figures);
    }
}
