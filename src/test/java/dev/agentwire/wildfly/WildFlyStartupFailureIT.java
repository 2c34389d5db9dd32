package dev.agentwire.wildfly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.it.WildFlyProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment that fails on WildFly is seen as an operator expects: the log says what to fix,
 * readiness and startup answer 503 at once (a health check that called the failed start-up EJB
 * would wait forever, and the management interface with it), and SIGTERM still stops WildFly.
 */
class WildFlyStartupFailureIT {

    @TempDir
    Path workDir;

    @Test
    void missingVerificationKeyFailsTheDeploymentAndHealthAnswers() throws Exception {
        try (var wildfly = WildFlyProcess.start(workDir, Map.of("MP_CONFIG_PROFILE", "prod"))) {
            assertFalse(wildfly.awaitDeployment(), "the deployment fails");
            assertTrue(wildfly.log().contains("agentwire cannot start: No token verification key is configured"), wildfly.log());
            // each request times out after 30 s instead of waiting for a failed EJB
            assertEquals(503, wildfly.management("health/ready").statusCode());
            assertEquals(503, wildfly.management("health/started").statusCode());
            wildfly.close();
            assertFalse(wildfly.isAlive(), "SIGTERM stopped WildFly");
        }
    }
}
