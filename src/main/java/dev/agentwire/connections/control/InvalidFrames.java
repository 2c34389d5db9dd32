package dev.agentwire.connections.control;

import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * How many invalid frames one connection may send: {@code max} in any {@code window} (a token
 * bucket refilled greedily), so a client with a bug is told what is wrong a few times before it
 * is closed, and a hostile one cannot make the server answer without end.
 */
final class InvalidFrames {

    private final Bucket bucket;

    InvalidFrames(int max, Duration window) {
        this.bucket = Bucket.builder().addLimit(limit -> limit.capacity(max).refillGreedy(max, window)).build();
    }

    /** Counts one invalid frame; false once there were more than {@code max} in the window. */
    boolean tolerateOne() {
        return bucket.tryConsume(1);
    }
}
