package dev.agentwire.operations;

import dev.agentwire.auth.control.DevTokenIssuer;
import dev.agentwire.auth.control.TokenVerifier;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.util.logging.Logger;

/**
 * Fails the deployment, with a message that says what to fix, when agentwire could not serve
 * anyone: no way to verify tokens, or a development issuer in production. A failed deployment
 * leaves Payara Micro's /health/ready DOWN.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrations", "AgentBackend"})
public class StartupChecks {

    private static final Logger LOG = Logger.getLogger(StartupChecks.class.getName());

    @Inject
    TokenVerifier verifier;

    @Inject
    DevTokenIssuer devIssuer;

    private volatile boolean passed;

    @PostConstruct
    void check() {
        try {
            var issuers = verifier.trustedIssuers();
            LOG.info(() -> "Accepting tokens from issuers " + issuers
                    + (devIssuer.isEnabled() ? "; development tokens at POST /api/dev/tokens" : ""));
            passed = true;
        } catch (RuntimeException e) {
            LOG.severe("agentwire cannot start: " + rootMessage(e));
            throw e;
        }
    }

    public boolean passed() {
        return passed;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            if (cause instanceof IllegalStateException) {
                break;
            }
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
