package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak: {@code bench.soak.users} users (default 500), each on its own connection
 * and in its own thread, chat for {@code bench.soak.minutes} (default 30), one chat every
 * {@code bench.soak.pause-ms} on average (default 10,000, uniformly 0.5 to 1.5 times that), each
 * with its own {@code client_msg_id}, waiting for {@code ack} and then the run's end. Afterwards
 * every acknowledged message is checked over REST: its message is stored with its
 * {@code client_msg_id} and its run has a closing event ({@code agent_completed} or
 * {@code agent_error}) in the thread's log. The orchestrator ({@link Soak}) samples the server's
 * heap, threads and open files meanwhile.
 */
public class SoakSimulation extends Simulation {

    static final int USERS = Probe.intProp("bench.soak.users", 100, 500);
    static final int MINUTES = Probe.intProp("bench.soak.minutes", 2, 30);
    static final int PAUSE_MS = Integer.getInteger("bench.soak.pause-ms", 10_000);
    static final String HTTP = Probe.URL.replaceFirst("^ws", "http").replaceFirst("/ws/chat$", "");

    /** One acknowledged chat: whose, where, and which run answers it. */
    record Acked(String token, String thread, String clientMsgId, String runId) {
    }

    static final ConcurrentLinkedQueue<Acked> ACKED = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<Double> LATENCY_MS = new ConcurrentLinkedQueue<>();
    static final AtomicLong OPEN = new AtomicLong();
    static final AtomicLong CONNECT_KO = new AtomicLong();
    static final AtomicLong SENT = new AtomicLong();
    static final AtomicLong ANSWERED = new AtomicLong();
    static final AtomicLong AGENT_ERRORS = new AtomicLong();
    static final AtomicLong NOT_ACKED = new AtomicLong();
    static final AtomicLong NOT_ANSWERED = new AtomicLong();
    static final AtomicLong ALIVE_AT_END = new AtomicLong();

    ScenarioBuilder soak = scenario("soak")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .exec(session -> {
                (session.isFailed() ? CONNECT_KO : OPEN).incrementAndGet();
                return session;
            })
            .exitHereIfFailed()
            .exec(during(Duration.ofMinutes(MINUTES), false).on(
                    exec(session -> session.set("cmid", UUID.randomUUID().toString()).remove("run").remove("end")
                            .set("t0", System.nanoTime()))
                            .exec(session -> {
                                SENT.incrementAndGet();
                                return session;
                            })
                            .exec(ws("chat").sendText(SoakSimulation::chat).await(60).on(
                                    ws.checkTextMessage("ack").matching(substring("\"type\":\"ack\""))
                                            .check(regex("\"thread_id\":\"([^\"]+)\"").saveAs("thread"),
                                                    regex("\"run_id\":\"([^\"]+)\"").saveAs("run")),
                                    ws.checkTextMessage("end").matching(regex("\"type\":\"agent_(completed|error)\""))
                                            .check(regex("\"type\":\"(agent_completed|agent_error)\"").saveAs("end"))))
                            .exec(SoakSimulation::record)
                            .pause(Duration.ofMillis(PAUSE_MS / 2), Duration.ofMillis(PAUSE_MS * 3L / 2))))
            .exec(Steps.ping())
            .exec(session -> {
                if (!session.isFailed()) {
                    ALIVE_AT_END.incrementAndGet();
                }
                return session;
            })
            .exec(Steps.close());

    {
        setUp(soak.injectOpen(rampUsers(USERS).during(Duration.ofSeconds(Math.max(1, USERS / 50)))))
                .protocols(Steps.protocol()).maxDuration(Duration.ofMinutes(MINUTES + 5L));
    }

    /** The chat frame: the first one opens the user's thread, the others continue it. */
    static String chat(Session session) {
        var frame = Json.createObjectBuilder().add("type", "chat").add("text", "what is 12*(3+4)?")
                .add("client_msg_id", session.getString("cmid"));
        if (session.contains("thread")) {
            frame.add("thread_id", session.getString("thread"));
        }
        return frame.build().toString();
    }

    static Session record(Session session) {
        if (session.contains("run")) {
            ACKED.add(new Acked(session.getString("token"), session.getString("thread"), session.getString("cmid"),
                    session.getString("run")));
        } else {
            NOT_ACKED.incrementAndGet();
        }
        if (session.contains("end")) {
            ANSWERED.incrementAndGet();
            LATENCY_MS.add((System.nanoTime() - session.getLong("t0")) / 1e6);
            if (session.getString("end").equals("agent_error")) {
                AGENT_ERRORS.incrementAndGet();
            }
        } else if (session.contains("run")) {
            NOT_ANSWERED.incrementAndGet();
        }
        return session.markAsSucceeded();
    }

    @Override
    public void after() {
        var figures = new LinkedHashMap<String, Object>();
        figures.put("users", USERS);
        figures.put("minutes", MINUTES);
        figures.put("pause_ms", PAUSE_MS);
        figures.put("open", OPEN.get());
        figures.put("connect_ko", CONNECT_KO.get());
        figures.put("sent", SENT.get());
        figures.put("acked", ACKED.size());
        figures.put("not_acked", NOT_ACKED.get());
        figures.put("answered_live", ANSWERED.get());
        figures.put("not_answered_live", NOT_ANSWERED.get());
        figures.put("agent_errors", AGENT_ERRORS.get());
        figures.put("alive_at_end", ALIVE_AT_END.get());
        figures.put("p50_ms", String.format("%.1f", Stats.percentile(LATENCY_MS, 50)));
        figures.put("p99_ms", String.format("%.1f", Stats.percentile(LATENCY_MS, 99)));
        figures.put("max_ms", String.format("%.1f", Stats.percentile(LATENCY_MS, 100)));
        long t0 = System.nanoTime();
        try {
            figures.putAll(checkOverRest());
        } catch (IOException | InterruptedException | RuntimeException e) {
            figures.put("rest_check_failed", e.toString().replace('\n', ' '));
        }
        figures.put("rest_check_seconds", String.format("%.1f", (System.nanoTime() - t0) / 1e9));
        Probe.write(figures);
    }

    /** Reads every user's thread back: each acknowledged message stored, each of its runs closed. */
    static Map<String, Object> checkOverRest() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Map<String, List<Acked>> byThread = new ConcurrentHashMap<>();
        for (Acked a : ACKED) {
            byThread.computeIfAbsent(a.token() + " " + a.thread(), k -> new ArrayList<>()).add(a);
        }
        long missingMessages = 0;
        long unendedRuns = 0;
        long storedEvents = 0;
        for (List<Acked> acked : byThread.values()) {
            String token = acked.get(0).token();
            String thread = acked.get(0).thread();
            Set<String> clientIds = new HashSet<>();
            for (long after = 0; ; ) {
                JsonObject page = get(http, token, "/api/threads/" + thread + "/messages?limit=200&after=" + after);
                for (JsonObject m : page.getJsonArray("items").getValuesAs(JsonObject.class)) {
                    if (m.containsKey("client_msg_id") && !m.isNull("client_msg_id")) {
                        clientIds.add(m.getString("client_msg_id"));
                    }
                }
                if (!page.containsKey("next") || page.isNull("next")) {
                    break;
                }
                after = page.getJsonNumber("next").longValue();
            }
            Set<String> endedRuns = new HashSet<>();
            for (long after = 0; ; ) {
                JsonObject page = get(http, token, "/api/threads/" + thread + "/events?limit=1000&after_seq=" + after);
                for (JsonObject e : page.getJsonArray("items").getValuesAs(JsonObject.class)) {
                    storedEvents++;
                    String type = e.getString("type");
                    if (type.equals("agent_completed") || type.equals("agent_error")) {
                        endedRuns.add(e.getString("run_id"));
                    }
                }
                if (!page.containsKey("next") || page.isNull("next")) {
                    break;
                }
                after = page.getJsonNumber("next").longValue();
            }
            for (Acked a : acked) {
                if (!clientIds.contains(a.clientMsgId())) {
                    missingMessages++;
                }
                if (!endedRuns.contains(a.runId())) {
                    unendedRuns++;
                }
            }
        }
        var figures = new LinkedHashMap<String, Object>();
        figures.put("threads_checked", byThread.size());
        figures.put("stored_events_read", storedEvents);
        figures.put("acked_missing_message", missingMessages);
        figures.put("acked_without_ended_run", unendedRuns);
        return figures;
    }

    static JsonObject get(HttpClient http, String token, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(HTTP + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return Json.createReader(new StringReader(response.body())).readObject();
    }
}
