package dev.agentwire.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up fails fast, with a message that says what to fix, when agentwire could not serve
 * anyone. Runs the same command the README gives (Payara Micro with the WAR) with a broken
 * configuration, and checks what an operator would see: the log line and readiness DOWN.
 */
class StartupFailureIT {

    @TempDir
    Path workDir;

    @Test
    void missingVerificationKeyFailsTheDeployment() throws Exception {
        String log = startExpectingFailure(Map.of("MP_CONFIG_PROFILE", "prod"));
        assertTrue(log.contains("agentwire cannot start: No token verification key is configured"), log);
        assertTrue(log.contains("mp.jwt.verify.publickey.location"), "the message says what to set");
    }

    @Test
    void developmentIssuerCannotBeEnabledInProduction() throws Exception {
        String keys = Path.of(System.getProperty("agentwire.basedir"), "src/test/resources/keys/test-verification-keys.jwks.json").toString();
        String log = startExpectingFailure(Map.of(
                "MP_CONFIG_PROFILE", "prod",
                "AGENTWIRE_DEV_ISSUER_ENABLED", "true",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", keys,
                "MP_JWT_VERIFY_ISSUER", "https://issuer.example"));
        assertTrue(log.contains("The development token issuer cannot run in the prod profile"), log);
        assertFalse(Files.exists(workDir.resolve("data/dev-issuer/signing-key.jwk")), "no dev key was made");
    }

    /** Starts Payara Micro with the WAR and returns its log once readiness has answered DOWN. */
    private String startExpectingFailure(Map<String, String> environment) throws Exception {
        int port = freePort();
        Path log = workDir.resolve("server.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", System.getProperty("payara.microJar"),
                "--nohazelcast", "--port", Integer.toString(port),
                "--prebootcommandfile", Path.of(System.getProperty("agentwire.basedir"), "src/test/resources/loopback-only.asadmin").toString(),
                "--deploy", System.getProperty("agentwire.war"), "--contextroot", "/"));
        var builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process server = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (System.nanoTime() < deadline && server.isAlive()) {
                if (Files.readString(log).contains(" ready in ")) {
                    var ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(503, ready.statusCode(), "readiness must be DOWN: " + ready.body());
                    return Files.readString(log);
                }
                Thread.sleep(250);
            }
            String output = Files.readString(log);
            assertFalse(server.isAlive(), "server neither became ready nor exited:\n" + output);
            assertTrue(server.exitValue() != 0, "a failed start exits non-zero");
            return output;
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
