package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.WsFrameCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The streaming workload: {@code bench.stream.users} users connect (opened at
 * {@code bench.stream.rate-connections} per second), meet at a rendezvous, then each sends a chat,
 * receives the whole streamed answer, and sends the next, for {@code bench.stream.seconds}. Every
 * answer is {@code bench.stream.tokens} tokens from the harness's model server ({@link ModelServer}),
 * each relayed as one {@code agent_message_delta} frame (agentwire through its OpenAI-compatible
 * backend; the baseline through {@code StreamRelayEndpoint}), then {@code agent_completed}.
 *
 * <p>A chat's await is one check per expected delta, then one for {@code agent_completed}; a
 * delta's check reads the model's send time from the token text ({@code t<micros> }) and records
 * receive time minus send time (both wall clock, microseconds, the same machine). An error frame,
 * a missing delta or a stream that does not end within 60 s fails the chat. Figures: deltas/s over
 * the window (rendezvous to the last user's last frame), latency p50/p99/max, server CPU per delta
 * (/proc), and on agentwire the change of {@code agentwire_events_flushes_total} and
 * {@code agentwire_events_stored_total} over the window, when the server has them.
 */
public class StreamSimulation extends Simulation {

    static final int USERS = Probe.intProp("bench.stream.users", 20, 50);
    static final int SECONDS = Probe.intProp("bench.stream.seconds", 5, 20);
    static final int TOKENS = Integer.getInteger("bench.stream.tokens", 22);
    static final int CONNECT_RATE = Integer.getInteger("bench.stream.rate-connections", 200);
    /** Run events agentwire stores and sends besides the deltas: agent_started, agent_thinking, agent_completed. */
    static final int OTHER_EVENTS_PER_RUN = 3;

    /** Latency histogram in 0.1 ms buckets up to 120 s; the last bucket holds everything above. */
    static final AtomicLongArray HISTOGRAM = new AtomicLongArray(1_200_001);
    static final AtomicLong DELTAS = new AtomicLong();
    static final AtomicLong OK = new AtomicLong();
    static final AtomicLong KO = new AtomicLong();
    static final AtomicLong OPEN = new AtomicLong();
    static final AtomicLong CONNECT_KO = new AtomicLong();
    static final AtomicLong ARRIVED = new AtomicLong();
    static final AtomicLong DONE = new AtomicLong();
    static volatile long cpuStart;
    static volatile long cpuEnd;
    static volatile long wallStart;
    static volatile long wallEnd;
    static volatile Map<String, Double> metricsStart = Map.of();
    static volatile Map<String, Double> metricsEnd = Map.of();

    /** What ends a delta's wait: the delta, or an error of the run or of the gateway. */
    static final String DELTA_OR_ERROR = "\"type\":\"(agent_message_delta|agent_error|error)\"";

    ScenarioBuilder stream = scenario("stream")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .exec(session -> {
                (session.isFailed() ? CONNECT_KO : OPEN).incrementAndGet();
                return session;
            })
            .rendezVous(USERS)
            .exec(session -> {
                if (ARRIVED.incrementAndGet() == 1) {
                    metricsStart = metrics();
                    cpuStart = Probe.cpuMillis();
                    wallStart = System.nanoTime();
                }
                return session;
            })
            // exitASAP false: a chat that is under way when the time is up is finished and counted
            .exec(during(Duration.ofSeconds(SECONDS), false).on(
                    exec(chat()).exec(session -> {
                        (session.isFailed() ? KO : OK).incrementAndGet();
                        return session.markAsSucceeded();
                    })))
            .exec(session -> {
                if (DONE.incrementAndGet() == USERS) {
                    cpuEnd = Probe.cpuMillis();
                    wallEnd = System.nanoTime();
                    metricsEnd = metrics();
                }
                return session;
            })
            .exec(Steps.close());

    /** One chat and its whole answer: TOKENS deltas (each timed), then agent_completed. */
    static ChainBuilder chat() {
        List<WsFrameCheck> checks = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) {
            checks.add(ws.checkTextMessage("delta").matching(regex(DELTA_OR_ERROR))
                    .check(regex("\"text\":\"t(\\d+) ").transform(StreamSimulation::received)).silent());
        }
        checks.add(ws.checkTextMessage("stream").matching(regex("\"type\":\"(agent_completed|agent_error|error)\""))
                .check(substring("agent_completed")));
        return exec(ws("stream").sendText(Probe.CHAT).await(60).on(checks));
    }

    /** Records one delta: now minus the model's send time in the token. */
    static long received(String sentMicros) {
        long latency = ModelServer.micros(Instant.now()) - Long.parseLong(sentMicros);
        int bucket = (int) Math.min(HISTOGRAM.length() - 1, Math.max(0, latency / 100));
        HISTOGRAM.incrementAndGet(bucket);
        DELTAS.incrementAndGet();
        return latency;
    }

    /** The latency (ms) at percentile p of the deltas recorded: the upper edge of its 0.1 ms bucket. */
    static double percentileMs(double p) {
        long total = 0;
        for (int i = 0; i < HISTOGRAM.length(); i++) {
            total += HISTOGRAM.get(i);
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < HISTOGRAM.length(); i++) {
            seen += HISTOGRAM.get(i);
            if (seen >= rank) {
                return (i + 1) / 10.0;
            }
        }
        return Double.NaN;
    }

    private static final Pattern METRIC = Pattern.compile("(?m)^(agentwire_events_(?:flushes|stored)_total)(?:\\{[^}]*\\})? (\\S+)");

    /** agentwire's event-writer counters (name to value; empty when the server has none). */
    static Map<String, Double> metrics() {
        if (!Probe.AGENTWIRE) {
            return Map.of();
        }
        try {
            URI ws = URI.create(Probe.URL);
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/metrics?scope=application"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            Map<String, Double> values = new LinkedHashMap<>();
            Matcher m = METRIC.matcher(response.body());
            while (m.find()) {
                values.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
            }
            return values;
        } catch (Exception e) {
            return Map.of();
        }
    }

    {
        setUp(stream.injectOpen(rampUsers(USERS).during(Duration.ofMillis(Math.max(1000, USERS * 1000L / CONNECT_RATE)))))
                .protocols(Steps.protocol()).maxDuration(Duration.ofMinutes(10));
    }

    @Override
    public void after() {
        double seconds = (wallEnd - wallStart) / 1e9;
        long deltas = DELTAS.get();
        long cpu = cpuEnd - cpuStart;
        var figures = new LinkedHashMap<String, Object>();
        figures.put("users", USERS);
        figures.put("stream_seconds", SECONDS);
        figures.put("tokens_per_answer", TOKENS);
        figures.put("open", OPEN.get());
        figures.put("connect_ko", CONNECT_KO.get());
        figures.put("ok", OK.get());
        figures.put("ko", KO.get());
        figures.put("window_seconds", String.format("%.3f", seconds));
        figures.put("deltas", deltas);
        figures.put("deltas_per_s", String.format("%.1f", deltas / seconds));
        figures.put("p50_ms", String.format("%.1f", percentileMs(50)));
        figures.put("p99_ms", String.format("%.1f", percentileMs(99)));
        figures.put("max_ms", String.format("%.1f", percentileMs(100)));
        figures.put("server_cpu_ms", cpu);
        figures.put("cpu_us_per_delta", deltas == 0 ? "" : String.format("%.1f", cpu * 1000.0 / deltas));
        // the events of the completed runs as agentwire stores and sends them: the deltas and three more per run
        figures.put("run_events", deltas + OTHER_EVENTS_PER_RUN * OK.get());
        for (String name : List.of("agentwire_events_flushes_total", "agentwire_events_stored_total")) {
            Double a = metricsStart.get(name);
            Double b = metricsEnd.get(name);
            figures.put(name.replace("agentwire_events_", "").replace("_total", ""), a == null || b == null ? "" : String.format("%.0f", b - a));
        }
        Probe.write(figures);
    }
}
