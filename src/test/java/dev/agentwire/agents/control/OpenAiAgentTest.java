package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiAgentTest {

    static final String CALLS = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]";

    @Test
    void aFrontEndCallAndItsResultGoTogether() {
        List<Agent.Turn> turns = List.of(new Agent.Turn("user", "weather?"), new Agent.Turn("assistant", "", null, CALLS),
                new Agent.Turn("tool", "sunny", "call_1", null));
        assertEquals(turns, OpenAiAgent.paired(turns));
    }

    @Test
    void aCallNeverAnsweredGoesAsTextAndAResultWithoutItsCallAsAUsersMessage() {
        List<Agent.Turn> paired = OpenAiAgent.paired(List.of(new Agent.Turn("tool", "sunny", "call_0", null),
                new Agent.Turn("user", "weather?"), new Agent.Turn("assistant", "Let me look.", null, CALLS),
                new Agent.Turn("user", "never mind, what is 2+2?")));
        assertEquals(List.of(new Agent.Turn("user", "sunny"), new Agent.Turn("user", "weather?"),
                new Agent.Turn("assistant", "Let me look."), new Agent.Turn("user", "never mind, what is 2+2?")), paired);
    }

    @Test
    void argumentsThatAreNoObjectOrNestTooDeepHaveNoExpression() {
        assertEquals(java.util.Optional.of("6*7"), OpenAiAgent.expressionOf("{\"expression\":\"6*7\"}"));
        assertEquals(java.util.Optional.empty(), OpenAiAgent.expressionOf("[1]"));
        assertEquals(java.util.Optional.empty(), OpenAiAgent.expressionOf("{\"deep\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}"));
    }
}
