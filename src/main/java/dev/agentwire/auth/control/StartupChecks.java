package dev.agentwire.auth.control;

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

    @Inject
    DevTokenRateLimit devTokenRate;

    private volatile boolean passed;

    @PostConstruct
    void check() {
        try {
            var issuers = verifier.trustedIssuers();
            LOG.info(() -> "Accepting tokens from issuers " + issuers
                    + (devIssuer.isEnabled() ? "; development tokens at POST /api/dev/tokens" : ""));
            if (devIssuer.isEnabled()) {
                LOG.warning(devIssuerWarning(devIssuer.isExplicitlyEnabled(), devIssuer.allowsRemote(), devTokenRate.tokensPerMinute()));
            }
            verifier.configuredIssuer().filter(issuer -> !verifier.checksAudience()).ifPresent(issuer -> LOG.warning(
                    "mp.jwt.verify.audiences is not set: every token of " + issuer + " is accepted, whichever service"
                            + " it was issued for. Set it (MP_JWT_VERIFY_AUDIENCES) to the audience your identity provider"
                            + " puts in this service's tokens."));
            passed = true;
        } catch (RuntimeException e) {
            LOG.severe("agentwire cannot start: " + rootMessage(e));
            throw e;
        }
    }

    /** Who can get a development token, said at start-up so that nobody runs one unawares. */
    static String devIssuerWarning(boolean explicitlyEnabled, boolean allowsRemote, int tokensPerMinute) {
        return "The development token issuer is ON ("
                + (explicitlyEnabled ? "agentwire.dev-issuer.enabled=true" : "no verification key is configured")
                + "): POST /api/dev/tokens gives a token for any user name to "
                + (allowsRemote ? "ANY machine that can reach this server (agentwire.dev-issuer.allow-remote=true)"
                        : "requests from this machine only (loopback addresses, not through a proxy)")
                + ", at most " + tokensPerMinute + " a minute per address. Never run it where real users connect: "
                + (explicitlyEnabled ? "remove agentwire.dev-issuer.enabled."
                        : "configuring mp.jwt.verify.publickey.location and mp.jwt.verify.issuer turns it off.");
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
