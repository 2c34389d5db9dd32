package dev.agentwire.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.agentwire.it.ChatClient;
import dev.agentwire.it.PayaraProcess;
import dev.agentwire.it.Server;
import dev.agentwire.it.TestTokens;
import jakarta.json.JsonObject;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server configured for a real identity provider the way an operator does it, with nothing
 * said about the development issuer: its key given as a {@code file:} URL, no audience, the
 * default clock skew (60 s), the default profile; and /metrics protected with
 * {@code server-config/secure-metrics.asadmin}. One Payara Micro for all the tests here.
 */
class IdentityProviderIT {

    @TempDir
    static Path workDir;

    private static PayaraProcess payara;
    private static Server server;
    private static RSAKey leftoverDevKey;
    private static int httpsPort;
    private static final String SCRAPER_PASSWORD = "scrape-" + java.util.UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        // the development issuer's key of an earlier run with the issuer on, still in the data directory
        leftoverDevKey = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true).generate();
        Files.createDirectories(workDir.resolve("data/dev-issuer"));
        Files.writeString(workDir.resolve("data/dev-issuer/signing-key.jwk"), leftoverDevKey.toJSONString());
        Path basedir = Path.of(System.getProperty("agentwire.basedir"));
        Path keys = basedir.resolve("src/test/resources/keys/test-verification-keys.jwks.json");
        Files.writeString(workDir.resolve("metrics-scraper.password"), "AS_ADMIN_USERPASSWORD=" + SCRAPER_PASSWORD + "\n");
        httpsPort = PayaraProcess.freePort();
        payara = PayaraProcess.start(workDir, Map.of(),
                List.of("--sslport", Integer.toString(httpsPort),
                        "--postbootcommandfile", basedir.resolve("server-config/secure-metrics.asadmin").toString()),
                "-Dmp.jwt.verify.publickey.location=" + keys.toUri(),
                "-Dmp.jwt.verify.issuer=" + TestTokens.ISSUER,
                "-Dagentwire.auth.required-role=" + TestTokens.ROLE);
        payara.awaitReady(); // after the assignment, so @AfterAll stops a server that did not get ready
        server = payara.server();
    }

    @AfterAll
    static void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
    }

    @Test
    void theKeyIsReadFromAFileUrl() {
        try (var client = ChatClient.withHeader(server.chat(), TestTokens.valid("real-user"))) {
            assertEquals("real-user", client.expect("ready").getString("user_id"));
        }
    }

    @Test
    void theDevelopmentIssuerIsOffWithoutBeingAskedFor() throws Exception {
        assertEquals(404, server.postForm("api/dev/tokens", "user=alice").statusCode());
        assertFalse(payara.log().contains("The development token issuer is ON"), "no development issuer, so no warning");
    }

    @Test
    void aTokenOfTheDevelopmentIssuerIsRefused() throws Exception {
        var claims = TestTokens.claims("alice").issuer("agentwire-dev-issuer").build();
        var forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(leftoverDevKey.getKeyID()).build(), claims);
        forged.sign(new RSASSASigner(leftoverDevKey));
        try (var client = ChatClient.withHeader(server.chat(), forged.serialize())) {
            JsonObject error = client.expectError("AUTH_WRONG_ISSUER");
            assertEquals(4401, error.getInt("close_code"));
            assertEquals(4401, client.awaitClose().code());
        }
        assertEquals(401, server.get("api/threads", forged.serialize()).statusCode());
    }

    @Test
    void noAudienceIsWarnedAboutAtStartUp() throws Exception {
        assertTrue(payara.log().contains("mp.jwt.verify.audiences is not set: every token of " + TestTokens.ISSUER + " is accepted"),
                payara.log());
    }

    /**
     * One rule for both paths: a token is accepted until exp plus the clock skew. A token 5 s
     * past its exp gets a session that lasts until then, and REST takes it too.
     */
    @Test
    void aTokenInsideTheClockSkewIsAcceptedUntilTheSameInstantEverywhere() throws Exception {
        Instant expiry = Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String token = TestTokens.rs256(TestTokens.claims("skewed-user").issueTime(Date.from(expiry.minus(Duration.ofMinutes(5))))
                .expirationTime(Date.from(expiry)).build());
        try (var client = ChatClient.withHeader(server.chat(), token)) {
            JsonObject ready = client.expect("ready");
            assertEquals(expiry.plusSeconds(60), Instant.parse(ready.getString("expires_at")), "exp plus the skew");
            Thread.sleep(2_500); // the housekeeping pass that ends expired sessions runs every second
            client.send("{\"type\":\"ping\"}").expect("pong");
            assertFalse(client.isClosed());
        }
        assertEquals(200, server.get("api/threads", token).statusCode());
    }

    @Test
    void metricsNeedTheScrapersPasswordOverHttps() throws Exception {
        var plain = (HttpURLConnection) server.http().resolve("metrics").toURL().openConnection();
        plain.setInstanceFollowRedirects(false);
        assertEquals(302, plain.getResponseCode(), "plain HTTP is sent to HTTPS");
        assertEquals("https://127.0.0.1:" + httpsPort + "/metrics", plain.getHeaderField("Location"));

        assertEquals(401, metricsOverHttps(null).getResponseCode(), "no credentials");
        assertEquals(401, metricsOverHttps("mp:mp").getResponseCode(), "Payara's default user is gone");
        assertEquals(401, metricsOverHttps("metrics-scraper:wrong").getResponseCode());
        HttpURLConnection scraper = metricsOverHttps("metrics-scraper:" + SCRAPER_PASSWORD);
        assertEquals(200, scraper.getResponseCode());
        assertTrue(new String(scraper.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("agentwire_connections_active"));
        assertEquals(200, server.get("health/ready").statusCode(), "health stays open for probes");
    }

    /** GET /metrics?scope=application over HTTPS; Payara Micro's certificate is its own self-signed one. */
    private static HttpURLConnection metricsOverHttps(String credentials) throws Exception {
        var connection = (HttpsURLConnection) URI.create("https://127.0.0.1:" + httpsPort + "/metrics?scope=application").toURL().openConnection();
        SSLContext trustingPayara = SSLContext.getInstance("TLS");
        trustingPayara.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        connection.setSSLSocketFactory(trustingPayara.getSocketFactory());
        connection.setHostnameVerifier((host, session) -> true);
        if (credentials != null) {
            connection.setRequestProperty("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        return connection;
    }
}
