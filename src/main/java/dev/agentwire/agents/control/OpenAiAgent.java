package dev.agentwire.agents.control;

import dev.agentwire.kernel.Ids;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.FaultToleranceException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * An agent backed by any OpenAI-compatible model. Text streams out as agent_message_delta
 * events; tool calls run agentwire's own tools ({@link ServerTools}) under the same approval policy
 * as the offline agent's: a call that waits for a person ends the run (see {@link ToolCalls}), and
 * the run that continues after the answer gives the model its result; the thread's earlier messages are
 * sent as context. Tools the client runs itself (AG-UI front-end tools) are offered too: when the
 * model calls one, the run ends with the call (tool_call_requested, then agent_completed with
 * status awaiting_tools), and the client's next message is its result, which the next run sends
 * the model after the stored call. One front-end call per turn: of several at once, the first is
 * asked for (the model may call the others next time); a server tool called in the same turn is
 * not run then.
 */
@ApplicationScoped
public class OpenAiAgent implements Agent {

    static final int MAX_TOOL_ROUNDS = 5;

    @Inject
    ModelClient client;

    @Inject
    ServerTools serverTools;

    @Inject
    ToolCalls toolCalls;

    @Inject
    @ConfigProperty(name = "agentwire.openai.model", defaultValue = "gpt-4o-mini")
    String model;

    @Inject
    @ConfigProperty(name = "agentwire.openai.system-prompt",
            defaultValue = "You are a helpful assistant. Use the calculator tool for arithmetic.")
    String systemPrompt;

    @Override
    public String name() {
        return "openai:" + model;
    }

    /**
     * Always: a model server that fails does not stop this node from serving sessions and
     * history, and each run it cannot answer ends with a retryable AGENT_UNAVAILABLE. Its state is
     * in {@link #healthData()}.
     */
    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Map<String, Object> healthData() {
        return client.healthData();
    }

    @Override
    public void run(Request request, RunEvents events) {
        events.started(name());
        events.thinking("Asking " + model + ".");
        List<JsonObject> conversation = new ArrayList<>();
        conversation.add(message("system", systemPrompt));
        List<Agent.Turn> turns = new ArrayList<>(request.history());
        turns.add(request.last());
        paired(turns).forEach(turn -> conversation.add(message(turn)));
        JsonArray tools = tools(request.clientTools());
        StringBuilder answer = new StringBuilder();
        for (int round = 0; round < MAX_TOOL_ROUNDS; round++) {
            ModelTurn turn = call(Json.createArrayBuilder(conversation).build(), tools, events);
            conversation.add(assistantTurn(turn));
            answer.append(turn.text());
            if (turn.toolCalls().isEmpty()) {
                events.completed(answer.toString());
                return;
            }
            List<ToolCall> clientCalls = turn.toolCalls().stream()
                    .filter(call -> isClientTool(call.name(), request.clientTools())).toList();
            if (!clientCalls.isEmpty()) {
                // one call at a time: the client answers with one result per run, and a stored turn
                // with a call that no result answers would be refused by the model server
                requestFromClient(clientCalls.subList(0, 1), answer.toString(), events);
                return;
            }
            Optional<ToolCall> gated = turn.toolCalls().stream().filter(call -> toolCalls.needsApproval(call.name())
                    && argumentsOf(call.arguments()).isPresent()).findFirst();
            if (gated.isPresent()) {
                // the first call that waits for a person ends the run; the turn's other calls do not run
                ToolCall call = gated.get();
                String id = call.id() == null || call.id().isBlank() ? ToolCalls.newCallId() : call.id();
                toolCalls.call(request.run(), events, id, call.name(), argumentsOf(call.arguments()).get(), answer.toString());
                return;
            }
            for (ToolCall call : turn.toolCalls()) {
                conversation.add(Json.createObjectBuilder().add("role", "tool").add("tool_call_id", orEmpty(call.id()))
                        .add("content", runTool(call, request, events)).build());
            }
        }
        events.completed(answer.isEmpty() ? "I stopped after " + MAX_TOOL_ROUNDS + " rounds of tool calls." : answer.toString());
    }

    /**
     * The turns as a model server takes them: a front-end call is followed by its result. A call
     * the client never answered (its user wrote a message instead) goes as its text alone, and a
     * result whose call is not right before it (it fell out of the history window) as a user's
     * message; either would make the server refuse the whole request.
     */
    static List<Agent.Turn> paired(List<Agent.Turn> turns) {
        List<Agent.Turn> paired = new ArrayList<>(turns.size());
        for (int i = 0; i < turns.size(); i++) {
            Agent.Turn turn = turns.get(i);
            boolean answered = i + 1 < turns.size() && turns.get(i + 1).toolCallId() != null;
            boolean afterItsCall = !paired.isEmpty() && paired.get(paired.size() - 1).toolCalls() != null;
            if (turn.toolCalls() != null && !answered) {
                paired.add(new Agent.Turn(turn.role(), turn.text()));
            } else if (turn.toolCallId() != null && !afterItsCall) {
                paired.add(new Agent.Turn("user", turn.text()));
            } else {
                paired.add(turn);
            }
        }
        return paired;
    }

    /** Ends the run with the calls of tools the client runs; their ids are the model's, or made when it gave none. */
    private static void requestFromClient(List<ToolCall> calls, String text, RunEvents events) {
        JsonArrayBuilder stored = Json.createArrayBuilder();
        for (ToolCall call : calls) {
            String id = call.id() == null || call.id().isBlank() ? "call-" + Ids.newId() : call.id();
            String arguments = call.arguments().isBlank() ? "{}" : call.arguments();
            events.toolCallRequested(id, call.name(), arguments);
            stored.add(Json.createObjectBuilder().add("id", id).add("type", "function")
                    .add("function", Json.createObjectBuilder().add("name", call.name()).add("arguments", arguments)));
        }
        events.awaitingTools(text, stored.build().toString());
    }

    /** agentwire's own tools, and every tool of the client except one that takes the name of one of them. */
    private JsonArray tools(List<Agent.ClientTool> clientTools) {
        JsonArrayBuilder tools = Json.createArrayBuilder();
        serverTools.all().forEach(tool -> tools.add(Json.createObjectBuilder().add("type", "function")
                .add("function", Json.createObjectBuilder().add("name", tool.name()).add("description", tool.description())
                        .add("parameters", tool.schema()))));
        for (Agent.ClientTool tool : clientTools) {
            if (serverTools.named(tool.name()).isPresent()) {
                continue;
            }
            JsonObject parameters = parametersOf(tool.parameters());
            tools.add(Json.createObjectBuilder().add("type", "function").add("function", Json.createObjectBuilder()
                    .add("name", tool.name())
                    .add("description", tool.description() == null ? "" : tool.description())
                    .add("parameters", parameters)));
        }
        return tools.build();
    }

    private boolean isClientTool(String name, List<Agent.ClientTool> clientTools) {
        return name != null && serverTools.named(name).isEmpty() && clientTools.stream().anyMatch(tool -> tool.name().equals(name));
    }

    /** A tool's JSON Schema; a tool without one takes an empty object. */
    private static JsonObject parametersOf(String schema) {
        if (schema != null) {
            try {
                return Json.createReader(new StringReader(schema)).readObject();
            } catch (RuntimeException e) { // as argumentsOf
                // the client's schema is not an object: offer the tool without parameters
            }
        }
        return Json.createObjectBuilder().add("type", "object").add("properties", JsonValue.EMPTY_JSON_OBJECT).build();
    }

    private ModelTurn call(JsonArray messages, JsonArray tools, RunEvents events) {
        JsonObject request = Json.createObjectBuilder()
                .add("model", model)
                .add("stream", true)
                .add("messages", messages)
                .add("tools", tools)
                .build();
        try {
            return client.stream(request, events::delta);
        } catch (RunEvents.RunCancelledException e) {
            throw e;
        } catch (RateLimitedException e) {
            throw new AgentUnavailableException("The model backend is busy; retry in " + e.retryAfter().toSeconds() + " s.",
                    e, e.retryAfter());
        } catch (CircuitBreakerOpenException e) {
            throw new AgentUnavailableException("The model backend has been failing, so it is not called for a while; retry later.", e);
        } catch (TimeoutException e) {
            throw new AgentUnavailableException("The model backend did not answer in time; retry.", e);
        } catch (FaultToleranceException | IOException e) {
            throw new AgentUnavailableException("The model backend cannot be reached; retry in a while.", e);
        }
    }

    /** The assistant's turn as the next request must repeat it, tool calls included. */
    private static JsonObject assistantTurn(ModelTurn turn) {
        var assistant = Json.createObjectBuilder().add("role", "assistant").add("content", turn.text());
        if (!turn.toolCalls().isEmpty()) {
            JsonArrayBuilder calls = Json.createArrayBuilder();
            turn.toolCalls().forEach(call -> calls.add(Json.createObjectBuilder()
                    .add("id", orEmpty(call.id()))
                    .add("type", "function")
                    .add("function", Json.createObjectBuilder().add("name", orEmpty(call.name())).add("arguments", call.arguments()))));
            assistant.add("tool_calls", calls);
        }
        return assistant.build();
    }

    /** Runs one of agentwire's tools for the model; a call whose arguments are not a JSON object fails. */
    private String runTool(ToolCall call, Request request, RunEvents events) {
        String name = orEmpty(call.name());
        Optional<JsonObject> arguments = argumentsOf(call.arguments());
        if (arguments.isEmpty()) {
            String output = "the arguments must be a JSON object";
            events.toolExecuting(name, Map.of("arguments", call.arguments()));
            events.toolCompleted(name, output, true);
            return output;
        }
        ServerTools.Result result = toolCalls.call(request.run(), events, call.id() == null ? ToolCalls.newCallId() : call.id(),
                name, arguments.get(), "").result();
        return result.failed() && Calculator.NAME.equals(name) && !result.output().startsWith("the arguments")
                ? "error: " + result.output() : result.output();
    }

    static Optional<JsonObject> argumentsOf(String arguments) {
        try {
            return Optional.of(Json.createReader(new StringReader(arguments.isBlank() ? "{}" : arguments)).readObject());
        } catch (RuntimeException e) { // not JSON, not an object, or past the parser's limits (a plain RuntimeException)
            return Optional.empty();
        }
    }

    static Optional<String> expressionOf(String arguments) {
        try {
            JsonObject object = Json.createReader(new StringReader(arguments)).readObject();
            return object.get("expression") instanceof jakarta.json.JsonString s ? Optional.of(s.getString()) : Optional.empty();
        } catch (RuntimeException e) {
            // not JSON, not an object, or nested deeper than the parser allows (Parsson reports that
            // as a plain RuntimeException, not a JsonException): the model's arguments are unusable
            return Optional.empty();
        }
    }

    private static JsonObject message(String role, String content) {
        return Json.createObjectBuilder().add("role", role).add("content", content).build();
    }

    /** A stored turn as the model takes it: a tool result names its call, a turn with front-end calls has them. */
    private static JsonObject message(Agent.Turn turn) {
        var message = Json.createObjectBuilder().add("role", turn.role()).add("content", turn.text());
        if (turn.toolCallId() != null) {
            message.add("tool_call_id", turn.toolCallId());
        }
        if (turn.toolCalls() != null) {
            try {
                message.add("tool_calls", Json.createReader(new StringReader(turn.toolCalls())).readArray());
            } catch (RuntimeException e) { // as argumentsOf
                // stored by this class as an array; unreadable, the turn goes as text alone
            }
        }
        return message.build();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
