package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class CalculatorTest {

    final Calculator calculator = new Calculator();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "12*(3+4)        | 84",
            "1 + 2 * 3       | 7",
            "(1 + 2) * 3     | 9",
            "10 / 4          | 2.5",
            "1/3             | 0.3333333333333333",
            "2^10            | 1024",
            "2^3^2           | 512",
            "-3 + 5          | 2",
            "-(2+3)*-2       | 10",
            "17 % 5          | 2",
            "0.1 + 0.2       | 0.3",
            "2^-2            | 0.25",
            "1e3             | ERROR",
            "100000000000*100000000000 | 10000000000000000000000",
            "10^100 % 3      | 1",
            "-7 % 3          | -1",
            "10^100 % 7      | 4",
            "(-2)^3          | -8",
            "0^5             | 0",
            "0^0             | 1",
            "0.1^1000 * 10^999 | 0.1",
    })
    void evaluates(String expression, String expected) {
        if (expected.equals("ERROR")) {
            assertThrows(Calculator.CalculationException.class, () -> calculator.evaluate(expression));
        } else {
            assertEquals(expected, calculator.evaluate(expression));
        }
    }

    @Test
    void explainsWhatIsWrong() {
        assertEquals("division by zero", message("1/0"));
        assertEquals("missing ')'", message("(1+2"));
        assertEquals("the expression ends too early", message("1+"));
        assertTrue(message("1 + x").contains("'x'"));
        assertEquals("exponents must be whole numbers", message("2^0.5"));
        assertEquals("'1.2.3' is not a number", message("1.2.3"));
    }

    @Test
    void boundsDepthAndLength() {
        assertEquals("expression nested too deeply", message("(".repeat(100) + "1" + ")".repeat(100)));
        assertEquals("expression nested too deeply", message("-".repeat(100) + "1"));
        assertTrue(message("1+".repeat(300) + "1").startsWith("expression longer"));
    }

    @Test
    void resultsBeyondTheBoundsAreRefusedBeforeTheyAreComputed() {
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            assertEquals("the result would have more than 1000 digits", message("(9^9999)^300"));
            assertEquals("the result would have more than 1000 digits", message("(1/9^9999)^104"));
            assertEquals("the result would be smaller than 1e-1000 (it is not 0)", message("(1/9^1000)^104"));
            assertEquals("the result would have more than 1000 digits", message("0.1^-1000"));
            assertEquals("the result would have more than 1000 digits", message("2^3322"));
            assertEquals("the result would be smaller than 1e-1000 (it is not 0)", message("0.1^1001"));
            assertEquals("the result would have more than 1000 digits", message("(10^999)*10"));
            assertEquals("the result would be smaller than 1e-1000 (it is not 0)", message("(0.1^1000)/10"));
            assertEquals("the result would have more than 1000 digits", message("1/0.1^1000"));
        });
    }

    @Test
    void resultsWithinTheBoundsAreAnsweredAndTheAnswerIsShort() {
        assertEquals(1000, calculator.evaluate("2^3321").length());
        assertEquals(1002, calculator.evaluate("0.1^1000").length()); // "0." and 1000 decimal places
        assertEquals(1000, calculator.evaluate("9^1047").length());
        assertEquals("0", calculator.evaluate("10^999 % 0.1^999"));
    }

    @Test
    void anInterruptedEvaluationStopsAndKeepsTheInterrupt() {
        Thread.currentThread().interrupt();
        try {
            assertThrows(CancellationException.class, () -> calculator.evaluate("1+1"));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left for the run to see");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anEvaluationPastItsTimeIsRefused() {
        var noTime = new Calculator(Duration.ZERO);
        assertEquals("the calculation takes longer than 0 ms",
                assertThrows(Calculator.CalculationException.class, () -> noTime.evaluate("1+1")).getMessage());
    }

    private String message(String expression) {
        return assertThrows(Calculator.CalculationException.class, () -> calculator.evaluate(expression)).getMessage();
    }
}
