package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
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
 * events; tool calls run the same tools as the offline agent; the thread's earlier messages are
 * sent as context.
 */
@ApplicationScoped
public class OpenAiAgent implements Agent {

    static final int MAX_TOOL_ROUNDS = 5;

    @Inject
    ModelClient client;

    @Inject
    Calculator calculator;

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
        request.history().forEach(turn -> conversation.add(message(turn.role(), turn.text())));
        conversation.add(message("user", request.message()));
        StringBuilder answer = new StringBuilder();
        for (int round = 0; round < MAX_TOOL_ROUNDS; round++) {
            ModelClient.Turn turn = call(Json.createArrayBuilder(conversation).build(), events);
            conversation.add(assistantTurn(turn));
            answer.append(turn.text());
            if (turn.toolCalls().isEmpty()) {
                events.completed(answer.toString());
                return;
            }
            for (ModelClient.ToolCall call : turn.toolCalls()) {
                conversation.add(Json.createObjectBuilder().add("role", "tool").add("tool_call_id", orEmpty(call.id()))
                        .add("content", runTool(call, events)).build());
            }
        }
        events.completed(answer.isEmpty() ? "I stopped after " + MAX_TOOL_ROUNDS + " rounds of tool calls." : answer.toString());
    }

    private ModelClient.Turn call(JsonArray messages, RunEvents events) {
        JsonObject request = Json.createObjectBuilder()
                .add("model", model)
                .add("stream", true)
                .add("messages", messages)
                .add("tools", Json.createArrayBuilder().add(calculatorTool()))
                .build();
        try {
            return client.stream(request, events::delta);
        } catch (RunEvents.RunCancelledException e) {
            throw e;
        } catch (ModelClient.RateLimitedException e) {
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
    private static JsonObject assistantTurn(ModelClient.Turn turn) {
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

    private String runTool(ModelClient.ToolCall call, RunEvents events) {
        if (!Calculator.NAME.equals(call.name())) {
            String output = "unknown tool " + call.name();
            events.toolExecuting(orEmpty(call.name()), Map.of("arguments", call.arguments()));
            events.toolCompleted(orEmpty(call.name()), output, true);
            return output;
        }
        Optional<String> expression = expressionOf(call.arguments());
        events.toolExecuting(Calculator.NAME, Map.of("expression", expression.orElse(call.arguments())));
        if (expression.isEmpty()) {
            String output = "the arguments must be a JSON object with a string field expression";
            events.toolCompleted(Calculator.NAME, output, true);
            return output;
        }
        try {
            String result = calculator.evaluate(expression.get());
            events.toolCompleted(Calculator.NAME, result, false);
            return result;
        } catch (Calculator.CalculationException e) {
            events.toolCompleted(Calculator.NAME, e.getMessage(), true);
            return "error: " + e.getMessage();
        }
    }

    static Optional<String> expressionOf(String arguments) {
        try {
            JsonObject object = Json.createReader(new StringReader(arguments)).readObject();
            return object.get("expression") instanceof jakarta.json.JsonString s ? Optional.of(s.getString()) : Optional.empty();
        } catch (JsonException | ClassCastException e) {
            return Optional.empty();
        }
    }

    private static JsonObject calculatorTool() {
        return Json.createObjectBuilder()
                .add("type", "function")
                .add("function", Json.createObjectBuilder()
                        .add("name", Calculator.NAME)
                        .add("description", "Evaluates an arithmetic expression with + - * / % ^ and parentheses, exactly.")
                        .add("parameters", Json.createObjectBuilder()
                                .add("type", "object")
                                .add("properties", Json.createObjectBuilder()
                                        .add("expression", Json.createObjectBuilder().add("type", "string")))
                                .add("required", Json.createArrayBuilder().add("expression"))))
                .build();
    }

    private static JsonObject message(String role, String content) {
        return Json.createObjectBuilder().add("role", role).add("content", content).build();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }
}
