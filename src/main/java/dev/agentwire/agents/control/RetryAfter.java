package dev.agentwire.agents.control;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.logging.Logger;

/** The wait a model backend's 429 asks for, read from its Retry-After header. */
final class RetryAfter {

    private static final Logger LOG = Logger.getLogger(RetryAfter.class.getName());

    /** The longest wait passed on; a longer one is cut to this. */
    static final Duration MAX = Duration.ofHours(1);

    private RetryAfter() {
    }

    /**
     * Retry-After in seconds or as an HTTP date, rounded up to whole seconds and kept between 1 s
     * and {@link #MAX}; {@code fallback} (within the same bounds) when the header is missing or
     * unreadable.
     */
    static Duration wait(Optional<String> header, Instant now, Duration fallback) {
        Duration wait = fallback;
        String value = header.map(String::strip).orElse("");
        if (value.matches("[0-9]{1,10}")) {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } else if (!value.isEmpty()) {
            try {
                Instant until = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                long millis = Duration.between(now, until).toMillis();
                wait = Duration.ofSeconds(Math.floorDiv(millis + 999, 1000));
            } catch (DateTimeParseException e) {
                LOG.fine(() -> "unreadable Retry-After from the model backend; using the default");
            }
        }
        return Duration.ofSeconds(Math.max(1, Math.min(MAX.toSeconds(), wait.toSeconds())));
    }
}
