package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading the OpenAI streaming format: text pieces, tool calls in pieces, malformed chunks, [DONE]. */
class CompletionChunksTest {

    private static CompletionChunks.Lines lines(String... lines) {
        var iterator = List.of(lines).iterator();
        return () -> iterator.hasNext() ? iterator.next() : null;
    }

    @Test
    void textArrivesInPiecesAndStopsAtDone() throws Exception {
        List<String> pieces = new ArrayList<>();
        var turn = CompletionChunks.read(lines(
                ": keep-alive comment",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}",
                "",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":null}]}",
                "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}",
                "data: [DONE]",
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"after done\"}}]}"), pieces::add);
        assertEquals(List.of("Hel", "lo"), pieces);
        assertEquals("Hello", turn.text());
        assertEquals("stop", turn.finishReason());
        assertEquals(List.of(), turn.toolCalls());
    }

    @Test
    void toolCallsAreAssembledFromTheirPieces() throws Exception {
        var turn = CompletionChunks.read(lines(
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"\"}}]}}]}",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"expr\"}}]}}]}",
                "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ession\\\":\\\"6*7\\\"}\"}}]}}]}",
                "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}",
                "data: [DONE]"), text -> { });
        assertEquals(List.of(new ToolCall("call_1", "calculator", "{\"expression\":\"6*7\"}")), turn.toolCalls());
        assertEquals("tool_calls", turn.finishReason());
        assertEquals(java.util.Optional.of("6*7"), OpenAiAgent.expressionOf(turn.toolCalls().get(0).arguments()));
    }

    @Test
    void malformedChunksAreSkippedAndCounted() throws Exception {
        List<String> pieces = new ArrayList<>();
        var turn = CompletionChunks.read(lines(
                "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}",
                "data: {this is not json",
                "data: [1, 2]",
                "data: {\"choices\":\"wrong\"}",
                "data: {\"deep\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}",
                "data: {\"choices\":[{\"delta\":{\"content\":\" world\"}}]}"), pieces::add);
        assertEquals("Hello world", turn.text());
        assertEquals(4, turn.malformedChunks());
        assertEquals(List.of("Hello", " world"), pieces);
    }
}
