package dev.agentwire.auth.control;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StartupChecksTest {

    @Test
    void theDevelopmentIssuerWarningSaysWhyItIsOnAndWhoCanReachIt() {
        String byDefault = StartupChecks.devIssuerWarning(false, false, 10);
        assertTrue(byDefault.contains("no verification key is configured"), byDefault);
        assertTrue(byDefault.contains("this machine only"), byDefault);
        assertTrue(byDefault.contains("at most 10 a minute"), byDefault);

        String onPurpose = StartupChecks.devIssuerWarning(true, true, 3);
        assertTrue(onPurpose.contains("agentwire.dev-issuer.enabled=true"), onPurpose);
        assertTrue(onPurpose.contains("ANY machine"), onPurpose);
        assertTrue(onPurpose.contains("remove agentwire.dev-issuer.enabled"), onPurpose);
    }
}
