package dev.agentwire.auth.control;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How many development tokens each remote address may get: a token bucket per address of
 * {@code agentwire.dev-issuer.tokens-per-minute}, refilled evenly over the minute. The buckets
 * of at most {@value #MAX_ADDRESSES} addresses are kept; when that many are busy, a new
 * address is refused until some are idle again, so a flood of addresses costs bounded memory
 * and gets no tokens rather than resetting everyone's limit.
 */
@ApplicationScoped
public class DevTokenRateLimit {

    static final int MAX_ADDRESSES = 4096;

    @Inject
    @ConfigProperty(name = "agentwire.dev-issuer.tokens-per-minute", defaultValue = "10")
    int tokensPerMinute;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    @PostConstruct
    void check() {
        if (tokensPerMinute < 1) {
            throw new IllegalStateException("agentwire.dev-issuer.tokens-per-minute must be at least 1");
        }
    }

    public int tokensPerMinute() {
        return tokensPerMinute;
    }

    /** Takes one token for the address, or says how long it has to wait for the next. */
    public Optional<Duration> refusal(String remoteAddress) {
        Bucket bucket = buckets.get(remoteAddress);
        if (bucket == null) {
            if (buckets.size() >= MAX_ADDRESSES) {
                forgetIdleAddresses();
                if (buckets.size() >= MAX_ADDRESSES) {
                    return Optional.of(Duration.ofSeconds(60));
                }
            }
            bucket = buckets.computeIfAbsent(remoteAddress, address -> newBucket());
        }
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** An address whose bucket is full again has not asked for a minute: its bucket can go. */
    private void forgetIdleAddresses() {
        buckets.entrySet().removeIf(entry -> entry.getValue().getAvailableTokens() >= tokensPerMinute);
    }

    private Bucket newBucket() {
        return Bucket.builder()
                .addLimit(limit -> limit.capacity(tokensPerMinute).refillGreedy(tokensPerMinute, Duration.ofMinutes(1)))
                .build();
    }
}
