package dev.agentwire.operations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.PayaraProcess;
import java.nio.file.Files;
import java.nio.file.Path;
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
        try (var server = PayaraProcess.start(workDir, Map.of("MP_CONFIG_PROFILE", "prod"))) {
            assertEquals(503, server.awaitStarted(), "readiness must be DOWN");
            String log = server.log();
            assertTrue(log.contains("agentwire cannot start: No token verification key is configured"), log);
            assertTrue(log.contains("mp.jwt.verify.publickey.location"), "the message says what to set");
        }
    }

    @Test
    void developmentIssuerCannotBeEnabledInProduction() throws Exception {
        String keys = Path.of(System.getProperty("agentwire.basedir"), "src/test/resources/keys/test-verification-keys.jwks.json").toString();
        try (var server = PayaraProcess.start(workDir, Map.of(
                "MP_CONFIG_PROFILE", "prod",
                "AGENTWIRE_DEV_ISSUER_ENABLED", "true",
                "MP_JWT_VERIFY_PUBLICKEY_LOCATION", keys,
                "MP_JWT_VERIFY_ISSUER", "https://issuer.example"))) {
            assertEquals(503, server.awaitStarted(), "readiness must be DOWN");
            assertTrue(server.log().contains("The development token issuer cannot run in the prod profile"), server.log());
        }
        assertFalse(Files.exists(workDir.resolve("data/dev-issuer/signing-key.jwk")), "no dev key was made");
    }

    @Test
    void clusterModeRefusesTheEmbeddedH2File() throws Exception {
        try (var server = PayaraProcess.start(workDir, Map.of("AGENTWIRE_CLUSTER_ENABLED", "true", "AGENTWIRE_NODE_ID", "node-a"),
                PayaraProcess.trustingTestTokens())) {
            assertEquals(503, server.awaitStarted(), "readiness must be DOWN");
            String log = server.log();
            assertTrue(log.contains("agentwire cannot start: agentwire.cluster.enabled=true needs PostgreSQL"), log);
        }
    }
}
