package dev.agentwire.protocol;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.Optional;

/**
 * The shape limits every JSON text from outside is held to before it is bound, in every part of it
 * (fields nobody reads included, which a binder skips without looking): nesting at most
 * {@link #MAX_DEPTH} levels, a number at most {@link #MAX_NUMBER_CHARS} characters. They are
 * the JSON parser's own limits for what it reads (docs/platform-notes.md, Parsson), applied to
 * all of the text, so a request cannot make the server walk what no frame may hold.
 */
public final class JsonLimits {

    public static final int MAX_DEPTH = 1000;
    public static final int MAX_NUMBER_CHARS = 1100;

    private JsonLimits() {
    }

    /** Why {@code text} is refused, or empty when it is well-formed JSON within the limits. */
    public static Optional<String> problem(String text) {
        int depth = 0;
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            while (parser.hasNext()) {
                switch (parser.next()) {
                    case START_OBJECT, START_ARRAY -> {
                        if (++depth > MAX_DEPTH) {
                            return Optional.of("The JSON is nested deeper than " + MAX_DEPTH + " levels.");
                        }
                    }
                    case END_OBJECT, END_ARRAY -> depth--;
                    case VALUE_NUMBER -> {
                        if (parser.getString().length() > MAX_NUMBER_CHARS) {
                            return Optional.of("The JSON holds a number longer than " + MAX_NUMBER_CHARS + " characters.");
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (JsonException e) {
            return Optional.of("The text is not valid JSON.");
        } catch (RuntimeException e) {
            return Optional.of("The JSON is nested too deeply or holds a number out of range.");
        }
        return Optional.empty();
    }
}
