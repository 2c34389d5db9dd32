package dev.agentwire.approvals.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArgumentSchemaTest {

    private static final JsonObject NOTE = parse("""
            {"type":"object","properties":{"text":{"type":"string","minLength":1,"maxLength":20},
             "tags":{"type":"array","items":{"type":"string"}},"count":{"type":"integer"}},
             "required":["text"],"additionalProperties":false}""").asJsonObject();

    private static JsonValue parse(String json) {
        return Json.createReader(new StringReader(json)).readValue();
    }

    private static List<ArgumentSchema.Problem> check(String arguments) {
        return ArgumentSchema.check(parse(arguments), NOTE);
    }

    @Test
    void argumentsThatFitHaveNoProblem() {
        assertEquals(List.of(), check("{\"text\":\"milk\",\"tags\":[\"shop\"],\"count\":2}"));
    }

    @Test
    void eachProblemNamesItsField() {
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.text", "arguments.text is required")), check("{}"));
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.text", "arguments.text must be a string")), check("{\"text\":5}"));
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.text", "arguments.text must have at most 20 characters")),
                check("{\"text\":\"" + "x".repeat(21) + "\"}"));
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.text", "arguments.text must have at least 1 characters")),
                check("{\"text\":\"\"}"));
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.tags[1]", "arguments.tags[1] must be a string")),
                check("{\"text\":\"a\",\"tags\":[\"x\",2]}"));
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.count", "arguments.count must be an integer")),
                check("{\"text\":\"a\",\"count\":1.5}"));
        assertEquals(List.of(new ArgumentSchema.Problem("arguments.extra", "arguments.extra is not an argument of this tool")),
                check("{\"text\":\"a\",\"extra\":1}"));
    }

    @Test
    void notAnObjectIsRefused() {
        assertEquals(List.of(new ArgumentSchema.Problem("arguments", "arguments must be a JSON object")), check("[1]"));
    }

    @Test
    void charactersTheStoreCannotKeepAreRefused() {
        List<ArgumentSchema.Problem> problems = check("{\"text\":\"a\\u0000b\"}");
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).message().startsWith("arguments.text must not contain the NUL character"), problems.toString());
    }

    @Test
    void deepNestingIsRefusedWithoutRecursion() {
        String deep = "{\"a\":".repeat(900) + "1" + "}".repeat(900);
        assertEquals(List.of(new ArgumentSchema.Problem("arguments", "arguments may be nested at most 16 levels deep")),
                ArgumentSchema.check(parse(deep), NOTE));
    }

    @Test
    void largeArgumentsAreRefusedBeforeTheSchema() {
        String big = "{\"text\":\"" + "x".repeat(ArgumentSchema.MAX_CHARACTERS) + "\"}";
        assertEquals(List.of(new ArgumentSchema.Problem("arguments", "arguments must be at most 16384 characters of JSON")),
                check(big));
    }
}
