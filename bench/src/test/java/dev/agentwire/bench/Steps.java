package dev.agentwire.bench;

import static io.gatling.javaapi.core.CoreDsl.csv;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.group;
import static io.gatling.javaapi.core.CoreDsl.substring;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.ws;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.FeederBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.WsConnectActionBuilder;

/** The building blocks every scenario shares, so that all targets see exactly the same client. */
final class Steps {

    private Steps() {
    }

    static HttpProtocolBuilder protocol() {
        return http.wsMaxReconnects(0).disableWarmUp()
                .userAgentHeader("agentwire-bench");
    }

    /** One signed token per benchmark user (bench-user-00001 ...), made by the orchestrator. */
    static FeederBuilder<String> tokens() {
        return csv(Probe.TOKENS).circular();
    }

    /**
     * The handshake: the upgrade with {@code Authorization: Bearer} (every target gets the header;
     * only agentwire reads it), and on agentwire the wait for the {@code ready} frame. The time
     * Gatling records for "handshake" is upgrade to open (baseline, Node) or upgrade to ready.
     */
    static ChainBuilder connect() {
        WsConnectActionBuilder connect = ws("handshake").connect(Probe.URL)
                .header("Authorization", "Bearer #{token}");
        if (Probe.AGENTWIRE) {
            connect = connect.await(30).on(ws.checkTextMessage("ready").check(substring("\"type\":\"ready\"")));
        }
        return group("open").on(exec(connect));
    }

    /** One chat; the recorded time is from the chat frame to {@code agent_completed} (the fifth echo). */
    static ChainBuilder chat() {
        return exec(ws("chat").sendText(Probe.CHAT).await(60).on(
                ws.checkTextMessage("agent_completed").matching(substring("agent_completed"))
                        .check(substring("agent_completed"))));
    }

    /** {@code ping}, answered {@code pong} (agentwire): the connection is still open and served. */
    static ChainBuilder ping() {
        return exec(ws("ping").sendText("{\"type\":\"ping\"}").await(30).on(
                ws.checkTextMessage("pong").matching(substring("\"type\":\"pong\"")).check(substring("pong"))));
    }

    static ChainBuilder close() {
        return exec(ws("close").close());
    }
}
