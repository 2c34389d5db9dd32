package dev.agentwire.connections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The factory's limits: 5 connections per user (default), and the global maximum (200 in the test server). */
class ConnectionLimitsIT extends SuiteServerTest {

    @Test
    void sixthConnectionOfAUserIsRefusedAndTheOtherFiveCarryOn() {
        String token = TestTokens.valid("busy-user");
        List<ChatClient> five = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                five.add(ChatClient.ready(server.chat(), token));
            }
            try (var sixth = ChatClient.withHeader(server.chat(), token)) {
                JsonObject error = sixth.expectError("TOO_MANY_CONNECTIONS");
                assertEquals(4429, error.getInt("close_code"));
                assertTrue(error.getBoolean("retryable"));
                assertEquals(4429, sixth.awaitClose().code());
            }
            for (ChatClient client : five) {
                client.send("{\"type\":\"ping\"}").expect("pong");
            }
            int before = active();
            five.remove(0).close();
            awaitActiveAtMost(before - 1);
            try (var again = ChatClient.withHeader(server.chat(), token)) {
                again.expect("ready");
            }
        } finally {
            five.forEach(ChatClient::close);
        }
    }

    @Test
    void serverAtCapacityAnswersServerBusyWith1013() {
        List<ChatClient> clients = new ArrayList<>();
        try {
            awaitActiveAtMost(0);
            int max = Integer.parseInt(readiness().getJsonObject("data").getString("max"));
            int room = max - active();
            for (int i = 0; i < room; i++) {
                clients.add(ChatClient.ready(server.chat(), TestTokens.valid("filler-" + (i / 5))));
            }
            try (var one = ChatClient.withHeader(server.chat(), TestTokens.valid("one-too-many"))) {
                JsonObject error = one.expectError("SERVER_BUSY");
                assertEquals(1013, error.getInt("close_code"));
                assertEquals(1013, one.awaitClose().code());
            }
            assertEquals(503, server.get("health/ready").statusCode(), "a full server is not ready for more");
        } finally {
            clients.forEach(ChatClient::close);
            awaitActiveAtMost(0);
        }
    }

    private void awaitActiveAtMost(int expected) {
        long deadline = System.currentTimeMillis() + 5_000;
        while (active() > expected && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int active() {
        return Integer.parseInt(readiness().getJsonObject("data").getString("active"));
    }

    private JsonObject readiness() {
        JsonObject health = Json.createReader(new StringReader(server.get("health/ready").body())).readObject();
        return health.getJsonArray("checks").getValuesAs(JsonObject.class).stream()
                .filter(check -> check.getString("name").equals("agentwire-connections"))
                .findFirst().orElseThrow();
    }
}
