package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.LinkedHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Chat latency and throughput: {@code bench.chat.users} users connect, meet at a rendezvous, then
 * each sends {@code bench.chat.messages} chats one after another, waiting for
 * {@code agent_completed} (agentwire: five run events; baseline and Node: five echo frames).
 * Figures: the p50/p99 of "agent_completed" (Gatling's report, chat frame to the last event),
 * messages/s and events/s over the chat window, server CPU per message in that window.
 */
public class ChatSimulation extends Simulation {

    static final int USERS = Probe.intProp("bench.chat.users", 20, 50);
    static final int MESSAGES = Probe.intProp("bench.chat.messages", 10, 40);
    static final int EVENTS_PER_MESSAGE = 5;

    static final AtomicLong OK = new AtomicLong();
    static final AtomicLong KO = new AtomicLong();
    static final AtomicLong ARRIVED = new AtomicLong();
    static final AtomicLong DONE = new AtomicLong();
    static volatile long cpuStart;
    static volatile long cpuEnd;
    static volatile long wallStart;
    static volatile long wallEnd;

    ScenarioBuilder chat = scenario("chat")
            .feed(Steps.tokens())
            .exec(Steps.connect())
            .rendezVous(USERS)
            .exec(session -> {
                if (ARRIVED.incrementAndGet() == 1) {
                    cpuStart = Probe.cpuMillis();
                    wallStart = System.nanoTime();
                }
                return session;
            })
            .exec(repeat(MESSAGES).on(Steps.chat().exec(session -> {
                (session.isFailed() ? KO : OK).incrementAndGet();
                return session.markAsSucceeded();
            })))
            .exec(session -> {
                if (DONE.incrementAndGet() == USERS) {
                    cpuEnd = Probe.cpuMillis();
                    wallEnd = System.nanoTime();
                }
                return session;
            })
            .exec(Steps.close());

    {
        setUp(chat.injectOpen(atOnceUsers(USERS))).protocols(Steps.protocol());
    }

    @Override
    public void after() {
        double seconds = (wallEnd - wallStart) / 1e9;
        long cpu = cpuEnd - cpuStart;
        long ok = OK.get();
        var figures = new LinkedHashMap<String, Object>();
        figures.put("users", USERS);
        figures.put("messages_per_user", MESSAGES);
        figures.put("ok", ok);
        figures.put("ko", KO.get());
        figures.put("seconds", String.format("%.3f", seconds));
        figures.put("messages_per_s", String.format("%.1f", ok / seconds));
        figures.put("events_per_s", String.format("%.1f", ok * EVENTS_PER_MESSAGE / seconds));
        figures.put("server_cpu_ms", cpu);
        figures.put("cpu_us_per_message", ok == 0 ? "" : String.format("%.1f", cpu * 1000.0 / ok));
        figures.put("cpu_us_per_event", ok == 0 ? "" : String.format("%.1f", cpu * 1000.0 / ok / EVENTS_PER_MESSAGE));
        Probe.write(figures);
    }
}
