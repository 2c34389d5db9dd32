package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.asLongAs;
import static io.gatling.javaapi.core.CoreDsl.doIfOrElse;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Event delivery in a crowd (agentwire only): {@code bench.crowd.users} connections of
 * distinct users (default 500) are opened at {@code bench.crowd.rate} per second and meet at a
 * rendezvous; then {@code bench.crowd.streamers} of them (default 50) each send chats one after
 * another for {@code bench.crowd.seconds} (default 30), waiting every time for
 * {@code agent_completed}, while the others stay connected and idle until the last streamer is
 * done. Latency (chat frame to {@code agent_completed}) is timed here with System.nanoTime around
 * the send-and-await; figures: its p50/p99/max, messages/s and events/s over the streaming window,
 * server CPU per message in that window, and whether the idle connections were still open at the end.
 */
public class CrowdSimulation extends Simulation {

    static final int USERS = Probe.intProp("bench.crowd.users", 100, 500);
    static final int STREAMERS = Probe.intProp("bench.crowd.streamers", 10, 50);
    static final int SECONDS = Probe.intProp("bench.crowd.seconds", 10, 30);
    static final int RATE = Integer.getInteger("bench.crowd.rate", 100);
    static final int EVENTS_PER_MESSAGE = 5;

    static final AtomicInteger ROLE = new AtomicInteger();
    static final AtomicLong OPEN = new AtomicLong();
    static final AtomicLong CONNECT_KO = new AtomicLong();
    static final AtomicLong OK = new AtomicLong();
    static final AtomicLong KO = new AtomicLong();
    static final AtomicLong IDLE_CLOSED_OK = new AtomicLong();
    static final AtomicLong DONE = new AtomicLong();
    static final AtomicBoolean RELEASE = new AtomicBoolean();
    static final ConcurrentLinkedQueue<Double> LATENCY_MS = new ConcurrentLinkedQueue<>();
    static volatile long cpuStart;
    static volatile long cpuEnd;
    static volatile long wallStart;
    static volatile long wallEnd;

    ScenarioBuilder crowd = scenario("crowd")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .exec(session -> {
                (session.isFailed() ? CONNECT_KO : OPEN).incrementAndGet();
                return session;
            })
            .rendezVous(USERS)
            .exec(session -> {
                int role = ROLE.incrementAndGet();
                if (role == 1) {
                    cpuStart = Probe.cpuMillis();
                    wallStart = System.nanoTime();
                }
                return session.set("streamer", role <= STREAMERS);
            })
            .doIfOrElse("#{streamer}").then(
                    // exitASAP false: the chat under way when the time is up is finished and counted
                    exec(during(Duration.ofSeconds(SECONDS), false).on(
                            exec(session -> session.set("t0", System.nanoTime()))
                                    .exec(Steps.chat())
                                    .exec(session -> {
                                        long t1 = System.nanoTime();
                                        if (session.isFailed()) {
                                            KO.incrementAndGet();
                                        } else {
                                            OK.incrementAndGet();
                                            LATENCY_MS.add((t1 - session.getLong("t0")) / 1e6);
                                        }
                                        return session.markAsSucceeded();
                                    })))
                            .exec(session -> {
                                if (DONE.incrementAndGet() == STREAMERS) {
                                    cpuEnd = Probe.cpuMillis();
                                    wallEnd = System.nanoTime();
                                    RELEASE.set(true);
                                }
                                return session;
                            }))
            .orElse(
                    exec(asLongAs(session -> !RELEASE.get()).on(pause(Duration.ofSeconds(1))))
                            // still connected after the streaming window: a ping must be answered
                            .exec(Steps.ping())
                            .exec(session -> {
                                if (!session.isFailed()) {
                                    IDLE_CLOSED_OK.incrementAndGet();
                                }
                                return session;
                            }))
            .exec(Steps.close());

    {
        setUp(crowd.injectOpen(rampUsers(USERS).during(Duration.ofMillis(Math.max(1000, USERS * 1000L / RATE)))))
                .protocols(Steps.protocol()).maxDuration(Duration.ofMinutes(10));
    }

    @Override
    public void after() {
        double seconds = (wallEnd - wallStart) / 1e9;
        long ok = OK.get();
        long cpu = cpuEnd - cpuStart;
        var figures = new LinkedHashMap<String, Object>();
        figures.put("users", USERS);
        figures.put("streamers", STREAMERS);
        figures.put("stream_seconds", SECONDS);
        figures.put("open", OPEN.get());
        figures.put("connect_ko", CONNECT_KO.get());
        figures.put("idle_alive_at_end", IDLE_CLOSED_OK.get());
        figures.put("ok", ok);
        figures.put("ko", KO.get());
        figures.put("window_seconds", String.format("%.3f", seconds));
        figures.put("p50_ms", ok == 0 ? "" : String.format("%.1f", Stats.percentile(LATENCY_MS, 50)));
        figures.put("p99_ms", ok == 0 ? "" : String.format("%.1f", Stats.percentile(LATENCY_MS, 99)));
        figures.put("max_ms", ok == 0 ? "" : String.format("%.1f", Stats.percentile(LATENCY_MS, 100)));
        figures.put("messages_per_s", String.format("%.1f", ok / seconds));
        figures.put("events_per_s", String.format("%.1f", ok * EVENTS_PER_MESSAGE / seconds));
        figures.put("server_cpu_ms", cpu);
        figures.put("cpu_us_per_message", ok == 0 ? "" : String.format("%.1f", cpu * 1000.0 / ok));
        Probe.write(figures);
    }
}
