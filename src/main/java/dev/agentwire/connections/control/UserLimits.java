package dev.agentwire.connections.control;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * One user's rate limits, shared by all their connections and kept a while after the last one
 * closes (so reconnecting does not reset them): frames per second, with a burst; refusals
 * tolerated before the connection is closed; new connections per minute.
 */
public class UserLimits {

    /** The configured limits. */
    public record Config(int framesPerSecond, int frameBurst, int refusalsBeforeClose, int connectionsPerMinute) {
    }

    private final Config config;
    private final Bucket frames;
    private final Bucket refusals;
    private final Bucket connections;
    private volatile long lastUsedNanos = System.nanoTime();

    UserLimits(Config config) {
        this.config = config;
        this.frames = Bucket.builder().addLimit(limit -> limit.capacity(config.frameBurst())
                .refillGreedy(config.framesPerSecond(), Duration.ofSeconds(1))).build();
        this.refusals = Bucket.builder().addLimit(limit -> limit.capacity(config.refusalsBeforeClose())
                .refillGreedy(config.refusalsBeforeClose(), Duration.ofSeconds(10))).build();
        this.connections = Bucket.builder().addLimit(limit -> limit.capacity(config.connectionsPerMinute())
                .refillGreedy(config.connectionsPerMinute(), Duration.ofMinutes(1))).build();
    }

    /** Admits a new connection, or refuses with TOO_MANY_CONNECTIONS (4429). */
    void checkConnection() {
        lastUsedNanos = System.nanoTime();
        if (!connections.tryConsume(1)) {
            throw new GatewayException(ErrorCode.TOO_MANY_CONNECTIONS, "You opened more than "
                    + config.connectionsPerMinute() + " connections in a minute; wait a little and retry.");
        }
    }

    /**
     * Admits a frame, or refuses it with RATE_LIMITED (the frame was not handled; send it again
     * later), or, when refusals keep coming, with TOO_MANY_REQUESTS, which closes with 4429.
     */
    public void checkFrame() {
        lastUsedNanos = System.nanoTime();
        if (frames.tryConsume(1)) {
            return;
        }
        if (refusals.tryConsume(1)) {
            throw new GatewayException(ErrorCode.RATE_LIMITED, "At most " + config.framesPerSecond()
                    + " frames per second; this one was not handled, send it again in a moment.");
        }
        throw new GatewayException(ErrorCode.TOO_MANY_REQUESTS);
    }

    boolean unusedFor(Duration duration) {
        return System.nanoTime() - lastUsedNanos > duration.toNanos();
    }
}
