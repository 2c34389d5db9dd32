package dev.agentwire.approvals.control;

import dev.agentwire.protocol.StorableTextValidator;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a tool's arguments against its JSON Schema, for the part of JSON Schema agentwire's
 * tools use: {@code type} (object, string, integer, number, boolean, array), {@code properties},
 * {@code required}, {@code additionalProperties: false}, {@code minLength}, {@code maxLength},
 * {@code items}. Before the schema, the bounds every edited argument object has: at most
 * {@link #MAX_CHARACTERS} characters of JSON and {@link #MAX_DEPTH} levels of nesting. Each problem
 * names its place as {@code arguments.text}, {@code arguments.tags[2]}.
 */
public final class ArgumentSchema {

    public static final int MAX_CHARACTERS = 16 * 1024;
    public static final int MAX_DEPTH = 16;

    /** A field of the arguments and what is wrong with it. */
    public record Problem(String field, String message) {
    }

    private ArgumentSchema() {
    }

    /** The problems of {@code arguments} against {@code schema}; none when they match. */
    public static List<Problem> check(JsonValue arguments, JsonObject schema) {
        List<Problem> problems = new ArrayList<>();
        if (arguments.getValueType() != JsonValue.ValueType.OBJECT) {
            problems.add(new Problem("arguments", "arguments must be a JSON object"));
            return problems;
        }
        Optional<Integer> deeper = depthBeyond(arguments, MAX_DEPTH);
        if (deeper.isPresent()) {
            problems.add(new Problem("arguments", "arguments may be nested at most " + MAX_DEPTH + " levels deep"));
            return problems;
        }
        if (CanonicalJson.of(arguments).length() > MAX_CHARACTERS) {
            problems.add(new Problem("arguments", "arguments must be at most " + MAX_CHARACTERS + " characters of JSON"));
            return problems;
        }
        check("arguments", arguments, schema, problems);
        return problems;
    }

    /** Present when the value is nested deeper than {@code max}; a loop, not recursion, so any depth is safe. */
    private static Optional<Integer> depthBeyond(JsonValue value, int max) {
        record Level(JsonValue value, int depth) {
        }
        var pending = new ArrayList<Level>();
        pending.add(new Level(value, 1));
        while (!pending.isEmpty()) {
            Level level = pending.remove(pending.size() - 1);
            if (level.depth() > max) {
                return Optional.of(level.depth());
            }
            if (level.value() instanceof JsonObject object) {
                object.values().forEach(v -> pending.add(new Level(v, level.depth() + 1)));
            } else if (level.value() instanceof JsonArray array) {
                array.forEach(v -> pending.add(new Level(v, level.depth() + 1)));
            }
        }
        return Optional.empty();
    }

    private static void check(String at, JsonValue value, JsonObject schema, List<Problem> problems) {
        String type = schema.getString("type", null);
        if (type != null && !hasType(value, type)) {
            problems.add(new Problem(at, at + " must be " + article(type)));
            return;
        }
        if (value instanceof JsonObject object) {
            JsonObject properties = schema.get("properties") instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT;
            if (schema.get("required") instanceof JsonArray required) {
                for (JsonValue name : required) {
                    if (name instanceof JsonString s && !object.containsKey(s.getString())) {
                        problems.add(new Problem(at + "." + s.getString(), at + "." + s.getString() + " is required"));
                    }
                }
            }
            for (var entry : object.entrySet()) {
                String field = at + "." + entry.getKey();
                if (properties.get(entry.getKey()) instanceof JsonObject property) {
                    check(field, entry.getValue(), property, problems);
                } else if (schema.get("additionalProperties") == JsonValue.FALSE) {
                    problems.add(new Problem(field, field + " is not an argument of this tool"));
                }
            }
        } else if (value instanceof JsonString string) {
            StorableTextValidator.problemIn(string.getString()).ifPresent(p -> problems.add(new Problem(at, at + " " + p)));
            int length = string.getString().codePointCount(0, string.getString().length());
            if (schema.get("minLength") instanceof JsonNumber min && length < min.intValue()) {
                problems.add(new Problem(at, at + " must have at least " + min.intValue() + " characters"));
            }
            if (schema.get("maxLength") instanceof JsonNumber max && length > max.intValue()) {
                problems.add(new Problem(at, at + " must have at most " + max.intValue() + " characters"));
            }
        } else if (value instanceof JsonArray array && schema.get("items") instanceof JsonObject items) {
            for (int i = 0; i < array.size(); i++) {
                check(at + "[" + i + "]", array.get(i), items, problems);
            }
        }
    }

    private static boolean hasType(JsonValue value, String type) {
        return switch (type) {
            case "object" -> value.getValueType() == JsonValue.ValueType.OBJECT;
            case "array" -> value.getValueType() == JsonValue.ValueType.ARRAY;
            case "string" -> value.getValueType() == JsonValue.ValueType.STRING;
            case "boolean" -> value == JsonValue.TRUE || value == JsonValue.FALSE;
            case "number" -> value.getValueType() == JsonValue.ValueType.NUMBER;
            case "integer" -> value instanceof JsonNumber n && n.isIntegral();
            case "null" -> value == JsonValue.NULL;
            default -> true; // a type this checker does not know is not held against the value
        };
    }

    private static String article(String type) {
        return switch (type) {
            case "object", "array", "integer" -> "an " + type;
            default -> "a " + type;
        };
    }
}
