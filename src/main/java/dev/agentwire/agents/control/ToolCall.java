package dev.agentwire.agents.control;

/** A tool call the model asked for; {@code arguments} is the JSON text the model produced. */
public record ToolCall(String id, String name, String arguments) {
}
