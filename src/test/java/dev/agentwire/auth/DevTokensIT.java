package dev.agentwire.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.ChatClient;
import dev.agentwire.it.SuiteServerTest;
import dev.agentwire.it.TestTokens;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The development issuer as someone who should not get its tokens meets it: the suite server
 * runs it next to the test issuer (agentwire.dev-issuer.enabled=true) and listens on 127.0.0.1.
 */
class DevTokensIT extends SuiteServerTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void userNamesAreLowerCaseAsciiOnly() {
        for (String user : List.of("Alice", "\u0430lice", "alice@example.org", "\uff41lice", "a b", "", ".hidden", "-x",
                "a".repeat(65), "caf\u00e9", "alice\u200b")) {
            var response = server.postForm("api/dev/tokens", "user=" + URLEncoder.encode(user, StandardCharsets.UTF_8));
            assertEquals(400, response.statusCode(), user + ": " + response.body());
            assertEquals("VALIDATION_FAILED", json(response.body()).getString("code"), user);
        }
        for (String user : List.of("alice.b-c_1", "7", "z".repeat(64))) {
            var response = server.postForm("api/dev/tokens", "user=" + user);
            assertEquals(200, response.statusCode(), user + ": " + response.body());
            assertEquals(user, json(response.body()).getString("user_id"));
        }
    }

    @Test
    void aRequestWithoutAFormIsAClientError() throws Exception {
        var response = HTTP.send(HttpRequest.newBuilder(server.http().resolve("api/dev/tokens"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, response.statusCode(), "no Content-Type, no form: no user name, not a server error; " + response.body());
        assertEquals("VALIDATION_FAILED", json(response.body()).getString("code"));
    }

    @Test
    void aRequestThroughAProxyIsNotFromThisMachine() throws Exception {
        for (String header : List.of("X-Forwarded-For", "Forwarded", "X-Real-IP")) {
            var response = HTTP.send(HttpRequest.newBuilder(server.http().resolve("api/dev/tokens"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .header(header, header.equals("Forwarded") ? "for=203.0.113.9" : "203.0.113.9")
                            .POST(HttpRequest.BodyPublishers.ofString("user=proxied")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(403, response.statusCode(), header + ": " + response.body());
            assertEquals("FORBIDDEN", json(response.body()).getString("code"));
        }
    }

    /**
     * A page of another site whose name its DNS made resolve to 127.0.0.1 (DNS rebinding): the
     * browser asks from this machine, but for the other site's host name.
     */
    @Test
    void aRequestForAnotherHostNameIsNotFromThisMachine() throws Exception {
        InetAddress source = InetAddress.getByName("127.0.0.3");
        RawResponse rebound = postFrom(source, "attacker.example:" + server.http().getPort(), "user=rebound");
        assertEquals(403, rebound.status(), rebound.body());
        assertEquals("FORBIDDEN", json(rebound.body()).getString("code"));
        assertEquals(200, postFrom(source, "localhost:" + server.http().getPort(), "user=local").status());
    }

    /**
     * From 127.0.0.2, another loopback address, so the bucket is not the one of 127.0.0.1 that
     * the other tests use: ten tokens, then 429 with Retry-After and a JSON body.
     */
    @Test
    void anAddressGetsTenTokensAMinute() throws Exception {
        InetAddress source = InetAddress.getByName("127.0.0.2");
        for (int i = 1; i <= 10; i++) {
            RawResponse response = postFrom(source, "user=bucket-" + i);
            assertEquals(200, response.status(), "token " + i + ": " + response.body());
        }
        RawResponse refused = postFrom(source, "user=bucket-11");
        assertEquals(429, refused.status(), refused.body());
        assertEquals("TOO_MANY_REQUESTS", json(refused.body()).getString("code"));
        int retryAfter = Integer.parseInt(refused.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 6, "one token comes back every 6 s: " + retryAfter);
        assertEquals(200, server.postForm("api/dev/tokens", "user=other-address").statusCode(), "127.0.0.1 has its own bucket");
    }

    @Test
    void refreshWithAnotherIssuersTokenForTheSameNameIsRejected() {
        String devToken = json(server.postForm("api/dev/tokens", "user=twin").body()).getString("token");
        try (var client = ChatClient.ready(server.chat(), TestTokens.valid("twin"))) {
            client.send(Json.createObjectBuilder().add("type", "refresh").add("token", devToken).build())
                    .expectError("REFRESH_REJECTED");
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
        try (var client = ChatClient.ready(server.chat(), devToken)) {
            client.send(Json.createObjectBuilder().add("type", "refresh").add("token", TestTokens.valid("twin")).build())
                    .expectError("REFRESH_REJECTED");
            client.send("{\"type\":\"ping\"}").expect("pong");
        }
    }

    private record RawResponse(int status, String headers, String body) {
        String header(String name) {
            return headers.lines().filter(line -> line.regionMatches(true, 0, name + ":", 0, name.length() + 1))
                    .map(line -> line.substring(name.length() + 1).trim()).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " in\n" + headers));
        }
    }

    /** A form POST from a chosen local address, which the JDK 17 HTTP client cannot bind. */
    private RawResponse postFrom(InetAddress source, String form) throws IOException {
        return postFrom(source, server.http().getHost() + ":" + server.http().getPort(), form);
    }

    /** The same, for the given {@code Host} header. */
    private RawResponse postFrom(InetAddress source, String host, String form) throws IOException {
        URI uri = server.http();
        try (var socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
            socket.setSoTimeout(15_000);
            byte[] body = form.getBytes(StandardCharsets.US_ASCII);
            String request = "POST /api/dev/tokens HTTP/1.1\r\nHost: " + host + "\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n"
                    + "Connection: close\r\n\r\n" + form;
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n\r\n");
            String head = response.substring(0, end);
            String rest = response.substring(end + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                rest = unchunk(rest);
            }
            return new RawResponse(Integer.parseInt(head.substring(9, 12)), head, rest);
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).trim(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }

    private static JsonObject json(String body) {
        return Json.createReader(new StringReader(body)).readObject();
    }
}
