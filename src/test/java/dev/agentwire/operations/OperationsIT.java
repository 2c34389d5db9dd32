package dev.agentwire.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Health, metrics and the development token issuer, as an operator and a newcomer see them. */
class OperationsIT extends SuiteServerTest {

    @Test
    void readinessLivenessAndStartupNameTheirChecks() {
        assertEquals(Map.of("agentwire-connections", "UP", "agentwire-agent", "UP", "agentwire-database", "UP",
                "agentwire-event-log", "UP"), checks("health/ready"));
        assertEquals(Map.of("agentwire-threads", "UP"), checks("health/live"));
        assertEquals(Map.of("agentwire-startup", "UP"), checks("health/started"));
    }

    @Test
    void metricsCountConnectionsClosesErrorsRunsAndHandshakes() {
        double opened = server.metric("agentwire_connections_opened_total", null);
        double refusals = server.metric("agentwire_connections_closed_total", "code=\"4401\"");
        double invalidFrames = server.metric("agentwire_error_frames_total", "code=\"INVALID_FRAME\"");
        double runs = server.metric("agentwire_agent_runs_total", "outcome=\"completed\"");
        double handshakes = server.metric("agentwire_handshake_time_seconds_count", null);
        double flushes = server.metric("agentwire_events_flushes_total", null);
        double stored = server.metric("agentwire_events_stored_total", null);

        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("metrics-user"))) {
            assertTrue(server.metric("agentwire_connections_active", null) >= 1);
            client.send("nonsense").expectError("INVALID_FRAME");
            client.chat("what is 3*3?").run();
        }
        try (var refused = ChatClient.withHeader(server.chat(), "bad")) {
            refused.awaitClose();
        }

        assertEquals(opened + 1, server.metric("agentwire_connections_opened_total", null));
        assertEquals(invalidFrames + 1, server.metric("agentwire_error_frames_total", "code=\"INVALID_FRAME\""));
        assertEquals(runs + 1, server.metric("agentwire_agent_runs_total", "outcome=\"completed\""));
        assertEquals(handshakes + 1, server.metric("agentwire_handshake_time_seconds_count", null));
        assertTrue(server.metric("agentwire_agent_run_time_seconds_count", null) >= 1);
        assertTrue(server.metric("agentwire_events_stored_total", null) >= stored + 5, "the run's five events were stored");
        double transactions = server.metric("agentwire_events_flushes_total", null) - flushes;
        assertTrue(transactions >= 1 && transactions <= 5, "in group commits: " + transactions + " transactions");
        awaitMetric("agentwire_connections_closed_total", "code=\"4401\"", refusals + 1);
    }

    @Test
    void timersAreExportedInSeconds() {
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("seconds-user"))) {
            client.chat("what is 2*3?").run();
        }
        // a handshake and a run on loopback take milliseconds: a value in nanoseconds under a
        // _seconds name would be in the millions
        String text = server.get("metrics?scope=application").body();
        for (String timer : new String[] {"agentwire_handshake_time_seconds", "agentwire_agent_run_time_seconds"}) {
            double count = server.metric(timer + "_count", null);
            assertTrue(count >= 1, timer + " was recorded:\n" + text);
            assertPlausibleSeconds(timer + " median from its buckets", medianFromBuckets(text, timer, count), text);
            assertPlausibleSeconds(timer + " max", server.metric(timer + "_max", null), text);
            assertPlausibleSeconds(timer + " mean", server.metric(timer + "_sum", null) / count, text);
            Matcher quantile = Pattern.compile("(?m)^" + timer + "\\{[^}]*quantile=[^}]*\\} (\\S+)$").matcher(text);
            while (quantile.find()) {
                assertPlausibleSeconds(timer + " quantile", Double.parseDouble(quantile.group(1)), text);
            }
        }
    }

    /** The upper bound of the first bucket holding half the observations, as Prometheus' histogram_quantile(0.5) would bound it. */
    private static double medianFromBuckets(String text, String timer, double count) {
        Matcher bucket = Pattern.compile("(?m)^" + timer + "_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*\\} (\\S+)$").matcher(text);
        TreeMap<Double, Double> cumulative = new TreeMap<>();
        while (bucket.find()) {
            cumulative.put(bucket.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(bucket.group(1)),
                    Double.parseDouble(bucket.group(2)));
        }
        assertFalse(cumulative.isEmpty(), timer + " has buckets:\n" + text);
        return cumulative.entrySet().stream().filter(e -> e.getValue() >= count / 2).findFirst().orElseThrow().getKey();
    }

    private static void assertPlausibleSeconds(String what, double seconds, String text) {
        assertTrue(seconds > 0 && seconds < 10, what + " is " + seconds + " s:\n" + text);
    }

    @Test
    void developmentIssuerGivesTokensThatChat() {
        var response = server.postForm("api/dev/tokens", "user=newcomer");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject issued = Json.createReader(new StringReader(response.body())).readObject();
        assertEquals("Bearer", issued.getString("token_type"));
        assertEquals("newcomer", issued.getString("user_id"));
        try (var client = ChatClient.ready(server.chat(), issued.getString("token"))) {
            client.chat("what is 12*(3+4)?");
            assertTrue(client.run().get(4).getString("text").contains("84"));
        }
    }

    @Test
    void developmentIssuerRefusesBadUserNames() {
        assertEquals(400, server.postForm("api/dev/tokens", "user=").statusCode());
        assertEquals(400, server.postForm("api/dev/tokens", "user=has%20space").statusCode());
    }

    @Test
    void theChatPageIsServedAtTheRootWithItsClientLibrary() {
        var page = server.get("");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("js/chat-page.js"), page.body());
        var library = server.get("js/agentwire.js");
        assertEquals(200, library.statusCode());
        assertTrue(library.headers().firstValue("Content-Type").orElse("").contains("javascript"),
                "browsers load a module only with a JavaScript content type: " + library.headers());
        assertTrue(library.body().contains("/ws/chat"));
    }

    private Map<String, String> checks(String path) {
        JsonObject health = Json.createReader(new StringReader(server.get(path).body())).readObject();
        return health.getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .collect(Collectors.toMap(c -> c.getString("name"), c -> c.getString("status")));
    }

    private void awaitMetric(String name, String tag, double expected) {
        long deadline = System.currentTimeMillis() + 5_000;
        while (server.metric(name, tag) < expected && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        assertEquals(expected, server.metric(name, tag));
    }
}
