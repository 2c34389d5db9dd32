package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OfflineAgentTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "what is 12*(3+4)?                 | 12*(3+4)",
            "compute (2 + 3) * 4 please        | (2 + 3) * 4",
            "(try 1+2)                         | 1+2",
            "is -3 + 5 positive                | -3 + 5",
            "I have 3 apples                   | ",
            "hello                             | ",
            "2^10 and 1+1                      | 2^10",
    })
    void findsTheArithmeticInAMessage(String message, String expected) {
        assertEquals(Optional.ofNullable(expected), OfflineAgent.arithmeticIn(message));
    }

    @org.junit.jupiter.api.Test
    void aVeryLongFormulaIsFoundWithoutExhaustingTheStack() {
        String formula = "1+".repeat(8_000) + "1";
        assertEquals(Optional.of(formula), OfflineAgent.arithmeticIn("what is " + formula + "?"));
    }
}
