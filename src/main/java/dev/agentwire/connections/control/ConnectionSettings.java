package dev.agentwire.connections.control;

import java.time.Duration;
import org.eclipse.microprofile.config.Config;

/**
 * Every setting of connections, read once and checked together: a value out of range fails the
 * deployment with a message naming its key. docs/configuration.md lists the keys.
 */
public record ConnectionSettings(int perUserMax, int maxConnections, int outboxFrames, int outboxBytes, int heldBytes,
                                 Duration heartbeatInterval, Duration idleTimeout, Duration drainTimeout,
                                 int framesPerSecond, int frameBurst, int refusalsBeforeClose, int connectionsPerMinute,
                                 int maxInvalidFrames, Duration invalidFrameWindow) {

    public ConnectionSettings {
        atLeastOne("agentwire.connections.per-user-max", perUserMax);
        atLeastOne("agentwire.connections.max", maxConnections);
        atLeastOne("agentwire.outbox.capacity", outboxFrames);
        atLeastOne("agentwire.outbox.max-bytes", outboxBytes);
        atLeastOne("agentwire.frames.held-max-bytes", heldBytes);
        atLeastOne("agentwire.heartbeat.interval-seconds", heartbeatInterval.toSeconds());
        atLeastOne("agentwire.heartbeat.idle-timeout-seconds", idleTimeout.toSeconds());
        atLeastOne("agentwire.outbox.drain-timeout-seconds", drainTimeout.toSeconds());
        atLeastOne("agentwire.rate.frames-per-second", framesPerSecond);
        atLeastOne("agentwire.rate.frame-burst", frameBurst);
        atLeastOne("agentwire.rate.refusals-before-close", refusalsBeforeClose);
        atLeastOne("agentwire.rate.connections-per-minute", connectionsPerMinute);
        atLeastOne("agentwire.frames.max-invalid", maxInvalidFrames);
        atLeastOne("agentwire.frames.invalid-window-seconds", invalidFrameWindow.toSeconds());
    }

    public static ConnectionSettings from(Config config) {
        return new ConnectionSettings(
                value(config, "agentwire.connections.per-user-max", 5),
                value(config, "agentwire.connections.max", 10_000),
                value(config, "agentwire.outbox.capacity", 1024),
                value(config, "agentwire.outbox.max-bytes", 4 * 1024 * 1024),
                value(config, "agentwire.frames.held-max-bytes", 256 * 1024),
                Duration.ofSeconds(value(config, "agentwire.heartbeat.interval-seconds", 25)),
                Duration.ofSeconds(value(config, "agentwire.heartbeat.idle-timeout-seconds", 75)),
                Duration.ofSeconds(value(config, "agentwire.outbox.drain-timeout-seconds", 10)),
                value(config, "agentwire.rate.frames-per-second", 20),
                value(config, "agentwire.rate.frame-burst", 40),
                value(config, "agentwire.rate.refusals-before-close", 20),
                value(config, "agentwire.rate.connections-per-minute", 30),
                value(config, "agentwire.frames.max-invalid", 10),
                Duration.ofSeconds(value(config, "agentwire.frames.invalid-window-seconds", 60)));
    }

    UserLimits.Config limits() {
        return new UserLimits.Config(framesPerSecond, frameBurst, refusalsBeforeClose, connectionsPerMinute);
    }

    private static int value(Config config, String key, int defaultValue) {
        return config.getOptionalValue(key, Integer.class).orElse(defaultValue);
    }

    private static void atLeastOne(String key, long value) {
        if (value < 1) {
            throw new IllegalStateException(key + " must be at least 1, but is " + value);
        }
    }
}
