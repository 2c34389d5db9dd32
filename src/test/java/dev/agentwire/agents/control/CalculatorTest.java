package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private String message(String expression) {
        return assertThrows(Calculator.CalculationException.class, () -> calculator.evaluate(expression)).getMessage();
    }
}
