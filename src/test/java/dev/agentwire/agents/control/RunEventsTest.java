package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.kernel.RunOutcome;
import dev.agentwire.protocol.FrameCodec;
import dev.agentwire.protocol.RunEventFactory;
import dev.agentwire.protocol.ServerFrame;
import dev.agentwire.streams.control.RunStream;
import dev.agentwire.threads.control.Conversations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every event a run reports is storable and within its caps, whatever the agent hands over. */
class RunEventsTest {

    static final int CAP = 10_000;
    static final long SEED = Long.getLong("agentwire.test.seed", System.nanoTime());

    final List<ServerFrame.RunEvent> events = new ArrayList<>();
    final List<String> stored = new ArrayList<>();
    final FrameCodec codec = new FrameCodec();
    final RunStream stream = new RunStream() {
        @Override
        public void append(RunEventFactory event) {
            events.add(event.create("run-1", "thread-1", events.size() + 1, Instant.EPOCH));
        }

        @Override
        public void end(RunEventFactory closing, RunOutcome outcome) {
            append(closing);
        }
    };
    final Conversations conversations = new Conversations() {
        @Override
        public void answer(String threadId, String text) {
            stored.add(text);
        }

        @Override
        public void toolCalls(String threadId, String text, String toolCalls) {
            stored.add(text);
            stored.add(toolCalls);
        }
    };
    final RunEvents run = new RunEvents("thread-1", stream, conversations, new AgentOutput(CAP, CAP / 2), () -> false, () -> { });
    final AgentOutputTest hostile = new AgentOutputTest();

    @Test
    void hostileDeltasAreStreamedAndStoredAlikeEachEventWithinItsCap() {
        Random random = new Random(SEED);
        StringBuilder answer = new StringBuilder();
        String piece;
        while (AgentOutput.storedLength(AgentOutput.storable(answer + (piece = hostile.hostile(random.nextInt(3_000))))) <= CAP) {
            run.delta(piece);
            answer.append(piece);
        }
        run.completed(answer.toString());
        String streamed = events.stream().filter(e -> e instanceof ServerFrame.AgentMessageDelta)
                .map(e -> ((ServerFrame.AgentMessageDelta) e).text()).collect(Collectors.joining());
        assertEquals(streamed, stored.get(0), "seed " + SEED);
        assertEquals(streamed, ((ServerFrame.AgentCompleted) events.get(events.size() - 1)).text());
        assertEquals(AgentOutput.storable(answer.toString()), streamed);
        for (ServerFrame.RunEvent event : events) {
            String json = codec.encode(event);
            assertTrue(AgentOutputTest.encodesAsUtf8(json), "seed " + SEED);
            assertFalse(json.contains("\\u0000"));
        }
    }

    @Test
    void anAnswerPastItsCapEndsTheRunBeforeTheDeltaThatPassesIt() {
        run.delta("a".repeat(CAP - 1));
        assertThrows(RunEvents.OutputRefused.class, () -> run.delta("bc"));
        ServerFrame.AgentError error = assertInstanceOf(ServerFrame.AgentError.class, events.get(events.size() - 1));
        assertEquals("AGENT_OUTPUT_TOO_LARGE", error.code());
        assertFalse(error.retryable());
        assertTrue(("a".repeat(CAP - 1)).equals(events.stream().filter(e -> e instanceof ServerFrame.AgentMessageDelta)
                .map(e -> ((ServerFrame.AgentMessageDelta) e).text()).collect(Collectors.joining())), "nothing past the cap is sent");
        assertTrue(run.hasEnded());
        assertThrows(RunEvents.RunCancelledException.class, () -> run.delta("more"));
        assertTrue(stored.isEmpty());
    }

    @Test
    void aCharacterSplitBetweenTwoDeltasIsKeptWholeAndAHalfThatStaysAloneIsReplaced() {
        run.delta("a\uD83D");
        run.delta("\uDE00b");
        run.delta("c\uD83D");
        run.completed("a\uD83D\uDE00bc\uD83D");
        assertEquals(List.of("a", "\uD83D\uDE00b", "c", "\uFFFD"), events.stream().filter(e -> e instanceof ServerFrame.AgentMessageDelta)
                .map(e -> ((ServerFrame.AgentMessageDelta) e).text()).toList());
        assertEquals("a\uD83D\uDE00bc\uFFFD", stored.get(0));
    }

    @Test
    void aDeltaLargerThanAnEventGoesAsSeveral() {
        run.delta("\"".repeat(CAP / 2));
        List<ServerFrame.RunEvent> deltas = List.copyOf(events);
        assertEquals(2, deltas.size());
        deltas.forEach(d -> assertTrue(AgentOutput.storedLength(((ServerFrame.AgentMessageDelta) d).text()) <= CAP / 2));
    }

    @Test
    void aToolCallIsStorableAndTheStoredCallsMatchWhatWasStreamed() {
        run.toolCallRequested("call_\u0000x", "front\uD800", "{\"deep\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}");
        run.awaitingTools("", "[{\"id\":\"call_\\u0000x\",\"type\":\"function\",\"function\":{\"name\":\"front\\ud800\","
                + "\"arguments\":\"{}\"}}]");
        var requested = (ServerFrame.ToolCallRequested) events.get(0);
        assertEquals("call_\uFFFDx", requested.toolCallId());
        assertEquals("front\uFFFD", requested.tool());
        assertTrue(stored.get(1).contains("\"id\":\"call_\uFFFDx\""), stored.get(1));
        assertEquals(RunEvents.AWAITING_TOOLS, ((ServerFrame.AgentCompleted) events.get(1)).status());
    }

    @Test
    void aToolResultPastTheEventCapEndsTheRun() {
        run.toolExecuting("calculator", Map.of("expression\u0000", "1+1\uDFFF"));
        assertEquals(Map.of("expression\uFFFD", "1+1\uFFFD"), ((ServerFrame.ToolExecuting) events.get(0)).input());
        assertThrows(RunEvents.OutputRefused.class, () -> run.toolCompleted("calculator", "\u0001".repeat(CAP), false));
        assertEquals("AGENT_OUTPUT_TOO_LARGE", ((ServerFrame.AgentError) events.get(1)).code());
    }
}
