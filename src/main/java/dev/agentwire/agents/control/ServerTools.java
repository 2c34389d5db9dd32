package dev.agentwire.agents.control;

import dev.agentwire.kernel.Owner;
import dev.agentwire.notes.control.Notes;
import dev.agentwire.notes.entity.Note;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * agentwire's own tools, which the offline agent and the model call: the calculator, and the
 * per-user notes ({@code save_note}, which waits for approval unless configured otherwise;
 * {@code list_notes}). Each has a JSON Schema for its arguments, which a model is offered and an
 * edited approval is checked against.
 */
@ApplicationScoped
public class ServerTools {

    public static final String SAVE_NOTE = "save_note";
    public static final String LIST_NOTES = "list_notes";

    /** A tool: its name, what it does, its arguments' schema, whether its calls wait for approval unless configured. */
    public record Tool(String name, String description, JsonObject schema, boolean approvalByDefault) {
    }

    /** What a call returned: text for the model and the person, and whether the tool could not do it. */
    public record Result(String output, boolean failed) {
    }

    private static final List<Tool> TOOLS = List.of(
            new Tool(Calculator.NAME, "Evaluates an arithmetic expression with + - * / % ^ and parentheses, exactly.",
                    object(Json.createObjectBuilder().add("expression", Json.createObjectBuilder().add("type", "string")
                            .add("minLength", 1).add("maxLength", 512)).build(), "expression"), false),
            new Tool(SAVE_NOTE, "Saves a note for the user, who can read it back later.",
                    object(Json.createObjectBuilder().add("text", Json.createObjectBuilder().add("type", "string")
                            .add("minLength", 1).add("maxLength", Notes.MAX_TEXT)).build(), "text"), true),
            new Tool(LIST_NOTES, "Lists the notes the user saved.", object(JsonValue.EMPTY_JSON_OBJECT, null), false));

    @Inject
    Calculator calculator;

    @Inject
    Notes notes;

    public List<Tool> all() {
        return TOOLS;
    }

    public Optional<Tool> named(String name) {
        return TOOLS.stream().filter(tool -> tool.name().equals(name)).findFirst();
    }

    /** What a person is asked to approve, in words. */
    public static String describe(String tool, JsonObject arguments) {
        return switch (tool) {
            case SAVE_NOTE -> "Save a note: " + stringOf(arguments, "text").orElse("");
            case Calculator.NAME -> "Calculate " + stringOf(arguments, "expression").orElse("");
            case LIST_NOTES -> "List your notes";
            default -> "Run " + tool + " with " + arguments;
        };
    }

    /** Runs a call of one of the tools; arguments that do not fit its schema make it fail, not throw. */
    public Result run(Owner owner, String toolCallId, String name, JsonObject arguments) {
        if (owner == null && !Calculator.NAME.equals(name)) {
            return new Result(name + " keeps notes per user, and this run has none", true);
        }
        switch (name) {
            case Calculator.NAME -> {
                Optional<String> expression = stringOf(arguments, "expression");
                if (expression.isEmpty()) {
                    return new Result("the arguments must be a JSON object with a string field expression", true);
                }
                try {
                    return new Result(calculator.evaluate(expression.get()), false);
                } catch (Calculator.CalculationException e) {
                    return new Result(e.getMessage(), true);
                }
            }
            case SAVE_NOTE -> {
                Optional<String> text = stringOf(arguments, "text").filter(t -> !t.isBlank() && t.length() <= Notes.MAX_TEXT);
                if (text.isEmpty()) {
                    return new Result("the arguments must be a JSON object with a field text of 1 to " + Notes.MAX_TEXT
                            + " characters", true);
                }
                Note note = notes.save(owner, text.get(), toolCallId);
                return new Result("Saved note " + note.id() + ": " + note.text(), false);
            }
            case LIST_NOTES -> {
                List<Note> saved = notes.of(owner);
                return new Result(saved.isEmpty() ? "You have no notes yet."
                        : saved.stream().map(n -> "- " + n.text()).collect(Collectors.joining("\n", "Your notes:\n", "")), false);
            }
            default -> {
                return new Result("unknown tool " + name, true);
            }
        }
    }

    static Optional<String> stringOf(JsonObject arguments, String field) {
        return arguments.get(field) instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    private static JsonObject object(JsonObject properties, String required) {
        var schema = Json.createObjectBuilder().add("type", "object").add("properties", properties).add("additionalProperties", false);
        if (required != null) {
            schema.add("required", Json.createArrayBuilder().add(required));
        }
        return schema.build();
    }
}
