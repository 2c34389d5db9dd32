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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "remember that the meeting is at 10      | the meeting is at 10",
            "Remember that   milk and eggs            | milk and eggs",
            "please remember to call Bob              | to call Bob",
            "remember that                            | ",
            "do you remember me?                      | ",
            "what are my notes                        | ",
    })
    void findsTheNoteAMessageAsksToSave(String message, String expected) {
        assertEquals(Optional.ofNullable(expected), OfflineAgent.noteIn(message));
    }

    @org.junit.jupiter.api.Test
    void aNoteIsCutToTheLongestANoteMayBe() {
        assertEquals(dev.agentwire.notes.control.Notes.MAX_TEXT,
                OfflineAgent.noteIn("remember that " + "x".repeat(10_000)).orElseThrow().length());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "what are my notes?     | true",
            "List my notes please   | true",
            "my notes               | true",
            "show me my notes       | true",
            "notes on music theory  | false",
            "remember that my notes | false",
    })
    void tellsAQuestionForTheNotes(String message, boolean asks) {
        assertEquals(asks, OfflineAgent.asksForNotes(message));
    }
}
