package dev.agentwire.approvals.control;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.Json;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * One text for equal JSON values: object keys in code-point order, no white space, strings as
 * JSON-P escapes them, numbers as written. Its SHA-256 is an interrupt's fingerprint, which lets a
 * client check that what it shows a person is what will run, and lets the server tell a repeated
 * answer from another one.
 */
public final class CanonicalJson {

    private CanonicalJson() {
    }

    public static String of(JsonValue value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    /** {@code sha256:} and the hex SHA-256 of the canonical text's UTF-8. */
    public static String fingerprint(JsonValue value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(of(value).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void write(JsonValue value, StringBuilder out) {
        switch (value.getValueType()) {
            case OBJECT -> {
                out.append('{');
                boolean first = true;
                for (var entry : new TreeMap<>((JsonObject) value).entrySet()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    out.append(string(entry.getKey())).append(':');
                    write(entry.getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                JsonArray array = (JsonArray) value;
                for (int i = 0; i < array.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(array.get(i), out);
                }
                out.append(']');
            }
            case STRING -> out.append(string(((JsonString) value).getString()));
            case NUMBER -> out.append(((JsonNumber) value).toString());
            default -> out.append(value.toString());
        }
    }

    private static String string(String text) {
        StringWriter writer = new StringWriter();
        Json.createWriter(writer).write(Json.createArrayBuilder().add(text).build());
        String array = writer.toString();
        return array.substring(1, array.length() - 1);
    }
}
