package dev.agentwire.agents.control;

import java.util.List;

/** What one streamed completion produced: its text, the tool calls it asked for, why it ended, and how many chunks were unreadable. */
public record ModelTurn(String text, List<ToolCall> toolCalls, String finishReason, int malformedChunks) {
}
