package dev.agentwire.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.Server;
import dev.agentwire.it.TestTokens;
import dev.agentwire.it.WildFlyProcess;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same WAR on WildFly: one WildFly started as README.md says, then what a user and an
 * operator do with it (readiness, a token, a chat with the five events, the REST history, an
 * AG-UI run as server-sent events, metrics), then a stop.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WildFlyIT {

    static final List<String> TOOL_RUN = List.of("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed");

    @TempDir
    static Path workDir;

    static WildFlyProcess wildfly;
    static Server server;

    @BeforeAll
    static void start() throws Exception {
        wildfly = WildFlyProcess.start(workDir, WildFlyProcess.trustingTestTokens(
                "-Dagentwire.db.url=jdbc:h2:file:" + workDir.resolve("db/agentwire") + ";DB_CLOSE_ON_EXIT=FALSE",
                "-Dagentwire.data-dir=" + workDir.resolve("data"),
                "-Dagentwire.dev-issuer.enabled=true")); // with a configured key it is off unless asked for
        wildfly.awaitReady();
        server = wildfly.server();
    }

    @AfterAll
    static void stop() throws Exception {
        if (wildfly != null) {
            wildfly.close();
        }
    }

    @Test
    @Order(1)
    void readinessLivenessAndStartupOnTheManagementPort() throws Exception {
        Map<String, String> ready = checks("health/ready");
        assertEquals("UP", ready.get("agentwire-connections"), ready::toString);
        assertEquals("UP", ready.get("agentwire-agent"), ready::toString);
        assertEquals("UP", ready.get("agentwire-database"), ready::toString);
        assertEquals("UP", checks("health/live").get("agentwire-threads"));
        assertEquals("UP", checks("health/started").get("agentwire-startup"));
    }

    @Test
    @Order(2)
    void aChatRunsThroughTheFiveEventsAndItsHistoryIsServed() {
        String token = TestTokens.valid("wildfly-user");
        String threadId;
        List<JsonObject> live;
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 12*(3+4)?", null, "on-wildfly");
            threadId = client.expect("ack").getString("thread_id");
            live = client.run();
        }
        assertEquals(TOOL_RUN, live.stream().map(f -> f.getString("type")).toList());
        assertEquals("84", live.get(3).getString("output"));
        assertTrue(live.get(4).getString("text").contains("84"));

        // snake_case JSON-B, as on Payara (RESTEasy would switch to Jackson without web.xml's parameter)
        List<JsonObject> threads = items("api/threads", token);
        assertTrue(threads.stream().anyMatch(t -> t.getString("id").equals(threadId)), threads::toString);
        JsonObject listed = threads.stream().filter(t -> t.getString("id").equals(threadId)).findFirst().orElseThrow();
        assertEquals(live.get(live.size() - 1).getJsonNumber("seq").longValue(), listed.getJsonNumber("last_seq").longValue());
        assertEquals(live, items("api/threads/" + threadId + "/events", token), "every event stored as it was sent");
        assertEquals(List.of("what is 12*(3+4)?", "`12*(3+4)` = 84"),
                items("api/threads/" + threadId + "/messages", token).stream().map(m -> m.getString("text")).toList());
    }

    @Test
    @Order(3)
    void browsersBearerSubprotocolAndTheDevelopmentIssuerWork() {
        try (var client = ChatClient.withSubprotocol(server.chat(), TestTokens.valid("wildfly-browser"))) {
            client.expect("ready");
            assertEquals("bearer", client.subprotocol());
        }
        HttpResponse<String> issued = server.postForm("api/dev/tokens", "user=wildfly-newcomer");
        assertEquals(200, issued.statusCode(), issued.body());
        String token = Json.createReader(new StringReader(issued.body())).readObject().getString("token");
        try (var client = ChatClient.ready(server.chat(), token)) {
            client.chat("what is 2+2?");
            assertTrue(client.run().get(4).getString("text").contains("4"));
        }
        try (var refused = ChatClient.withHeader(server.chat(), "not-a-token")) {
            assertEquals(4401, refused.awaitClose().code());
        }
    }

    @Test
    @Order(3)
    void anAgUiRunStreamsItsEventsAsServerSentEvents() throws Exception {
        String threadId = UUID.randomUUID().toString();
        String runId = UUID.randomUUID().toString();
        String body = "{\"threadId\":\"" + threadId + "\",\"runId\":\"" + runId
                + "\",\"messages\":[{\"id\":\"agui-on-wildfly\",\"role\":\"user\",\"content\":\"what is 12*(3+4)?\"}]}";
        var request = HttpRequest.newBuilder(server.http().resolve("api/agui"))
                .header("Authorization", "Bearer " + TestTokens.valid("wildfly-agui-user"))
                .header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> types = answer.body().lines().filter(line -> line.startsWith("data:"))
                .map(line -> Json.createReader(new StringReader(line.substring(5).strip())).readObject().getString("type")).toList();
        assertEquals("RUN_STARTED", types.get(0), answer.body());
        assertEquals("RUN_FINISHED", types.get(types.size() - 1), answer.body());
        assertTrue(types.contains("TOOL_CALL_RESULT"), answer.body());
        assertTrue(answer.body().lines().anyMatch(line -> line.matches("id: ?1")), "the first event has the id of its seq: " + answer.body());
    }

    @Test
    @Order(4)
    void metricsAreServedThroughMicrometerOnTheManagementPort() throws Exception {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("wildfly-metrics"))) {
            client.chat("what is 3*3?").run();
        }
        String text = wildfly.management("prometheus").body();
        assertTrue(metric(text, "agentwire_connections_opened_total") >= 1, text);
        assertTrue(metric(text, "agentwire_handshake_time_seconds_count") >= 1, text);
        double handshakeMean = metric(text, "agentwire_handshake_time_seconds_sum") / metric(text, "agentwire_handshake_time_seconds_count");
        assertTrue(handshakeMean > 0 && handshakeMean < 10, "a handshake in seconds: " + handshakeMean);
        double handshakeMax = metric(text, "agentwire_handshake_time_seconds_max");
        assertTrue(handshakeMax > 0 && handshakeMax < 10, "the slowest handshake in seconds: " + handshakeMax);
        assertTrue(metric(text, "agentwire_agent_runs_total") >= 1, text);
        assertTrue(text.contains("agentwire_connections_active"), text);
    }

    @Test
    @Order(5)
    void stopsOnSigterm() throws Exception {
        wildfly.close();
        assertFalse(wildfly.isAlive(), "WildFly stopped");
        assertTrue(wildfly.log().contains("WFLYSRV0050"), "WildFly logged its stop");
    }

    private static Map<String, String> checks(String path) throws Exception {
        HttpResponse<String> response = wildfly.management(path);
        JsonObject health = Json.createReader(new StringReader(response.body())).readObject();
        return health.getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .collect(Collectors.toMap(c -> c.getString("name"), c -> c.getString("status")));
    }

    private static List<JsonObject> items(String path, String token) {
        return server.getJson(path, token).getJsonArray("items").getValuesAs(JsonObject.class);
    }

    /** The sum of a metric's samples in Prometheus text, whatever their tags. */
    private static double metric(String text, String name) {
        return text.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
