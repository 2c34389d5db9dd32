package dev.agentwire.approvals.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Which tool calls wait for a person: {@code agentwire.approvals.tool.<tool>} is {@code always}
 * or {@code never}; unset, the tool's own default holds. How long an interrupt can be answered:
 * {@code agentwire.approvals.expiry-seconds}. Every value is checked at deployment.
 */
@ApplicationScoped
public class ApprovalPolicy {

    static final String TOOL_PREFIX = "agentwire.approvals.tool.";

    @Inject
    Config config;

    @Inject
    @ConfigProperty(name = "agentwire.approvals.expiry-seconds", defaultValue = "86400")
    long expirySeconds;

    @PostConstruct
    void check() {
        if (expirySeconds < 1) {
            throw new IllegalStateException("agentwire.approvals.expiry-seconds must be at least 1, but is " + expirySeconds);
        }
        for (String name : config.getPropertyNames()) {
            if (name.startsWith(TOOL_PREFIX)) {
                decide(name, config.getOptionalValue(name, String.class), false);
            }
        }
    }

    /** Whether a call of {@code tool} waits for approval; {@code byDefault} is the tool's own answer. */
    public boolean needsApproval(String tool, boolean byDefault) {
        String key = TOOL_PREFIX + tool;
        return decide(key, config.getOptionalValue(key, String.class), byDefault);
    }

    public Duration expiry() {
        return Duration.ofSeconds(expirySeconds);
    }

    /** {@code always} or {@code never} (any case, trimmed); unset is {@code byDefault}; anything else names the key. */
    static boolean decide(String key, Optional<String> value, boolean byDefault) {
        if (value.isEmpty() || value.get().isBlank()) {
            return byDefault;
        }
        return switch (value.get().trim().toLowerCase(Locale.ROOT)) {
            case "always" -> true;
            case "never" -> false;
            default -> throw new IllegalStateException(key + " must be always or never, but is " + value.get());
        };
    }
}
