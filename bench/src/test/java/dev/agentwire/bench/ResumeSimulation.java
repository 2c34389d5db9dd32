package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.bodyString;
import static io.gatling.javaapi.core.CoreDsl.regex;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Resume of a long thread (agentwire only). One user builds a thread of
 * {@code bench.resume.chats} chats (default 200 x 5 events = 1,000 events), each sent after the
 * previous {@code agent_completed}, every chat after the first with the thread's id. Then
 * {@code bench.resume.repeats} times (default 5) a new connection of the same user sends
 * {@code {"type":"resume","thread_id":...,"after_seq":0}}; the time from sending it to the
 * {@code resumed} frame (which comes after every replayed event) is measured here with
 * System.nanoTime around the send-and-await. Figures: the resume times, their median, and the
 * server's {@code replayed} and {@code last_seq} of the last resume.
 */
public class ResumeSimulation extends Simulation {

    static final int CHATS = Probe.intProp("bench.resume.chats", 50, 200);
    static final int REPEATS = Probe.intProp("bench.resume.repeats", 3, 5);

    static final AtomicLong BUILD_KO = new AtomicLong();
    static final AtomicLong RESUME_KO = new AtomicLong();
    static final ConcurrentLinkedQueue<Double> RESUME_MS = new ConcurrentLinkedQueue<>();
    static final AtomicLong REFUSED = new AtomicLong();
    static final ConcurrentLinkedQueue<String> REFUSALS = new ConcurrentLinkedQueue<>();
    static volatile String replayed = "";
    static volatile String lastSeq = "";
    static volatile long buildStart;
    static volatile long buildEnd;

    static final String CHAT_IN_THREAD =
            "{\"type\":\"chat\",\"text\":\"what is 12*(3+4)?\",\"thread_id\":\"#{thread_id}\"}";
    static final String RESUME = "{\"type\":\"resume\",\"thread_id\":\"#{thread_id}\",\"after_seq\":0}";

    /**
     * One chat, sent again (up to 5 times, 0.5 s apart) when the answer is an error frame or an
     * {@code agent_error} instead of {@code agent_completed}, so that the thread gets exactly 5
     * events per chat; the refusals are counted and the first few kept for the report.
     */
    static ChainBuilder chatRetried(String frame, String name) {
        return exec(session -> session.set("answer", "").set("attempt", 0))
                .asLongAs(session -> !"agent_completed".equals(session.getString("answer"))
                        && session.getInt("attempt") < 5 && !session.isFailed()).on(
                        exec(ws(name).sendText(frame).await(60).on(
                                ws.checkTextMessage("answer")
                                        .matching(regex("\"type\":\"(agent_completed|agent_error|error)\""))
                                        .check(jsonPath("$.type").saveAs("answer"),
                                                jsonPath("$.thread_id").optional().saveAs("thread_id"),
                                                bodyString().saveAs("last"))))
                                .exec(session -> {
                                    session = session.set("attempt", session.getInt("attempt") + 1);
                                    if (!session.isFailed() && !"agent_completed".equals(session.getString("answer"))) {
                                        if (REFUSED.incrementAndGet() <= 3) {
                                            REFUSALS.add(session.getString("last"));
                                        }
                                    }
                                    return session;
                                })
                                .doIf(session -> !"agent_completed".equals(session.getString("answer")))
                                .then(pause(Duration.ofMillis(500))));
    }

    ScenarioBuilder resume = scenario("resume")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .exec(session -> {
                buildStart = System.nanoTime();
                return session;
            })
            // the first chat starts the thread; its id comes with the run's events
            .exec(chatRetried(Probe.CHAT, "first chat"))
            .exitHereIfFailed()
            .exec(repeat(CHATS - 1).on(exec(chatRetried(CHAT_IN_THREAD, "chat in thread")).exec(session -> {
                if (session.isFailed()) {
                    BUILD_KO.incrementAndGet();
                }
                return session.markAsSucceeded();
            })))
            .exec(session -> {
                buildEnd = System.nanoTime();
                return session;
            })
            .exec(Steps.close())
            .exec(repeat(REPEATS).on(exec(pause(Duration.ofSeconds(1)))
                    .exec(Steps.connect())
                    .exec(session -> session.set("t0", System.nanoTime()))
                    .exec(ws("resume").sendText(RESUME).await(120).on(
                            // resumed, or resume_unavailable (then the check fails)
                            ws.checkTextMessage("resumed").matching(substring("\"type\":\"resume"))
                                    .check(substring("\"type\":\"resumed\""),
                                            jsonPath("$.replayed").saveAs("replayed"),
                                            jsonPath("$.last_seq").saveAs("last_seq"))))
                    .exec(session -> {
                        long t1 = System.nanoTime();
                        if (session.isFailed()) {
                            RESUME_KO.incrementAndGet();
                        } else {
                            RESUME_MS.add((t1 - session.getLong("t0")) / 1e6);
                            replayed = session.getString("replayed");
                            lastSeq = session.getString("last_seq");
                        }
                        return session.markAsSucceeded();
                    })
                    .exec(Steps.close())));

    {
        setUp(resume.injectOpen(atOnceUsers(1))).protocols(Steps.protocol())
                .maxDuration(Duration.ofMinutes(15));
    }

    @Override
    public void after() {
        List<Double> ms = new ArrayList<>(RESUME_MS);
        var figures = new LinkedHashMap<String, Object>();
        figures.put("chats", CHATS);
        figures.put("build_seconds", String.format("%.1f", (buildEnd - buildStart) / 1e9));
        figures.put("build_ko", BUILD_KO.get());
        figures.put("chats_answered_with_error", REFUSED.get());
        figures.put("first_errors", String.join(" | ", REFUSALS).replace("\n", " "));
        figures.put("resumes", ms.size());
        figures.put("resume_ko", RESUME_KO.get());
        figures.put("replayed", replayed);
        figures.put("last_seq", lastSeq);
        figures.put("resume_ms_all", ms.stream().map(v -> String.format("%.0f", v)).toList().toString().replace(",", ";"));
        figures.put("resume_ms_median", ms.isEmpty() ? "" : String.format("%.1f", Stats.percentile(ms, 50)));
        Probe.write(figures);
    }
}
