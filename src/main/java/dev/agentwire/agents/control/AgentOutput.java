package dev.agentwire.agents.control;

import dev.agentwire.protocol.StorableTextValidator;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * What an agent's output (the model's text, tool calls and their ids and arguments, tool results)
 * must be before it becomes an event: text every database stores as given, NUL and unpaired
 * surrogates replaced by U+FFFD ({@link StorableTextValidator#replaceUnstorable}), so what is sent
 * live is what is stored and replayed; and sizes the event log holds. Sizes are counted as the
 * text is stored, in the event's JSON: a character takes one, a quote or backslash two, a control
 * character up to six. {@link RunEvents} applies it to every event, once.
 */
@ApplicationScoped
public class AgentOutput {

    /** The event log's payload and the message text hold 1,000,000 characters; an event's ids and names need the rest. */
    static final int MAX_CAP = 900_000;
    static final int MIN_CAP = 1_000;

    @Inject
    @ConfigProperty(name = "agentwire.agent.max-answer-chars", defaultValue = "200000")
    int maxAnswer;

    @Inject
    @ConfigProperty(name = "agentwire.agent.max-event-chars", defaultValue = "200000")
    int maxEvent;

    protected AgentOutput() {
    }

    AgentOutput(int maxAnswer, int maxEvent) {
        this.maxAnswer = maxAnswer;
        this.maxEvent = maxEvent;
        check();
    }

    @PostConstruct
    void check() {
        if (maxAnswer < MIN_CAP || maxAnswer > MAX_CAP) {
            throw new IllegalStateException("agentwire.agent.max-answer-chars must be between " + MIN_CAP + " and " + MAX_CAP
                    + ", but is " + maxAnswer);
        }
        if (maxEvent < MIN_CAP || maxEvent > MAX_CAP) {
            throw new IllegalStateException("agentwire.agent.max-event-chars must be between " + MIN_CAP + " and " + MAX_CAP
                    + ", but is " + maxEvent);
        }
    }

    /** The longest answer, counted as stored. */
    public int maxAnswer() {
        return maxAnswer;
    }

    /** The most that the text fields of one event may hold together, counted as stored. */
    public int maxEvent() {
        return maxEvent;
    }

    /** The text as it is sent and stored; null stays null. */
    static String storable(String text) {
        return StorableTextValidator.replaceUnstorable(text);
    }

    /** The map's keys and values as they are sent and stored. */
    static Map<String, String> storable(Map<String, String> values) {
        Map<String, String> clean = new LinkedHashMap<>();
        values.forEach((key, value) -> clean.put(storable(key), storable(value)));
        return clean;
    }

    /**
     * A JSON text with every string in it (names too) as it is sent and stored, written again; an
     * escaped NUL ({@code \u0000}) is replaced like a raw one, since it is one once read.
     */
    static String storableJson(String json) {
        return storable(Json.createReader(new StringReader(json)).readValue()).toString();
    }

    private static JsonValue storable(JsonValue value) {
        return switch (value.getValueType()) {
            case STRING -> Json.createValue(storable(((JsonString) value).getString()));
            case OBJECT -> {
                JsonObjectBuilder object = Json.createObjectBuilder();
                value.asJsonObject().forEach((name, member) -> object.add(storable(name), storable(member)));
                yield object.build();
            }
            case ARRAY -> {
                JsonArrayBuilder array = Json.createArrayBuilder();
                value.asJsonArray().forEach(item -> array.add(storable(item)));
                yield array.build();
            }
            default -> value;
        };
    }

    /** How many characters the text takes in an event's JSON, at most; 0 for null. */
    static long storedLength(String text) {
        if (text == null) {
            return 0;
        }
        long length = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                length += 5;
            } else if (c == '"' || c == '\\') {
                length += 1;
            }
        }
        return length;
    }

    /** Whether an event with these text fields fits the per-event cap. */
    public boolean fitsEvent(String... fields) {
        long total = 0;
        for (String field : fields) {
            total += storedLength(field);
        }
        return total <= maxEvent;
    }

    /**
     * The text in pieces that each fit one event, in order, never splitting a surrogate pair; one
     * piece when it fits already.
     */
    public List<String> pieces(String text) {
        if (storedLength(text) <= maxEvent) {
            return List.of(text);
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        long size = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int width = c < 0x20 ? 6 : c == '"' || c == '\\' ? 2 : 1;
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            int units = pair ? 2 : 1;
            if (size + width * (long) units > maxEvent) {
                pieces.add(text.substring(start, i));
                start = i;
                size = 0;
            }
            size += width * (long) units;
            i += units - 1;
        }
        pieces.add(text.substring(start));
        return pieces;
    }
}
