package dev.agentwire.protocol;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.config.PropertyNamingStrategy;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Set;

/** The one decoder for client frames and the one encoder for server frames. Thread-safe. */
@ApplicationScoped
public class FrameCodec {

    private static final Set<String> CLIENT_TYPES = Arrays.stream(ClientFrame.class.getAnnotation(JsonbTypeInfo.class).value())
            .map(JsonbSubtype::alias).collect(Collectors.toUnmodifiableSet());
    private static final Map<Class<?>, String> SERVER_TYPES = Arrays.stream(ServerFrame.class.getAnnotation(JsonbTypeInfo.class).value())
            .collect(Collectors.toUnmodifiableMap(JsonbSubtype::type, JsonbSubtype::alias));

    private final Jsonb jsonb = JsonbBuilder.create(new JsonbConfig()
            .withPropertyNamingStrategy(PropertyNamingStrategy.LOWER_CASE_WITH_UNDERSCORES));

    public String encode(ServerFrame frame) {
        return jsonb.toJson(frame);
    }

    /** The {@code type} a server frame has on the wire. */
    public String typeOf(ServerFrame frame) {
        return SERVER_TYPES.get(frame.getClass());
    }

    /**
     * Decodes a client frame, or throws INVALID_FRAME with a message that says what is wrong.
     * Total over every string: whatever the parser or the binder throws for the client's text is
     * a refusal of that text, never an internal error. The parser's own limits (Parsson: nesting
     * deeper than 1000 levels, a number of more than 1100 characters, a BigInteger scale beyond
     * 100000) throw plain RuntimeException and UnsupportedOperationException, not JsonException,
     * so a list of the exception types that mean "bad input" cannot be complete.
     */
    public ClientFrame decode(String text) {
        ClientFrame frame;
        try {
            frame = jsonb.fromJson(text, ClientFrame.class);
        } catch (RuntimeException e) {
            throw new GatewayException(ErrorCode.INVALID_FRAME, explain(text));
        }
        if (frame == null) {
            throw new GatewayException(ErrorCode.INVALID_FRAME, "The frame must be a JSON object.");
        }
        return frame;
    }

    /**
     * The slow path, for bad frames only: says why the frame was refused. A streaming pass first,
     * which reads numbers as text and so meets no number limit, then the tree of a frame known to
     * be within the parser's limits.
     */
    static String explain(String text) {
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            while (parser.hasNext()) {
                if (parser.next() == JsonParser.Event.VALUE_NUMBER) {
                    parser.getBigDecimal(); // refuses a number out of range or too long
                }
            }
        } catch (JsonException e) {
            return "The frame is not valid JSON.";
        } catch (NumberFormatException | ArithmeticException | UnsupportedOperationException e) {
            return "The frame holds a number out of range.";
        } catch (RuntimeException e) {
            // the one other refusal of Parsson's streaming parser: its nesting limit
            return "The frame is nested too deeply.";
        }
        JsonValue value;
        try {
            value = Json.createReader(new StringReader(text)).readValue();
        } catch (RuntimeException e) {
            return "The frame is not valid JSON.";
        }
        if (!(value instanceof JsonObject object)) {
            return "The frame must be a JSON object.";
        }
        if (!(object.get("type") instanceof JsonString type)) {
            return "The frame needs a string field \"type\".";
        }
        if (!CLIENT_TYPES.contains(type.getString())) {
            return "Unknown frame type; expected one of " + String.join(", ", CLIENT_TYPES.stream().sorted().toList()) + ".";
        }
        return "A field of this " + type.getString() + " frame has the wrong JSON type.";
    }
}
