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
import jakarta.json.bind.JsonbException;
import jakarta.json.bind.config.PropertyNamingStrategy;
import jakarta.json.bind.annotation.JsonbSubtype;
import jakarta.json.bind.annotation.JsonbTypeInfo;
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

    /** Decodes a client frame, or throws INVALID_FRAME with a message that says what is wrong. */
    public ClientFrame decode(String text) {
        try {
            ClientFrame frame = jsonb.fromJson(text, ClientFrame.class);
            if (frame == null) {
                throw new GatewayException(ErrorCode.INVALID_FRAME, "The frame must be a JSON object.");
            }
            return frame;
        } catch (JsonbException | JsonException | ClassCastException | NumberFormatException | ArithmeticException e) {
            // the last two: a number too large for BigDecimal or for its field, e.g. 1e99999999999
            throw new GatewayException(ErrorCode.INVALID_FRAME, explain(text));
        }
    }

    /** The slow path, for bad frames only: says why the frame was refused. */
    static String explain(String text) {
        JsonValue value;
        try {
            value = Json.createReader(new StringReader(text)).readValue();
        } catch (JsonException e) {
            return "The frame is not valid JSON.";
        } catch (NumberFormatException | ArithmeticException e) {
            return "The frame holds a number out of range.";
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
