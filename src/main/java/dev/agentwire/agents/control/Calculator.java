package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.concurrent.CancellationException;

/**
 * The calculator tool: evaluates arithmetic with + - * / % ^, parentheses, unary signs and
 * decimals, by recursive descent over decimals of 16 significant digits. Bounded in length and
 * depth, so no input can exhaust the stack; in the size of every intermediate result, so no
 * input can make a long computation or a long answer; and in time. Interruptible: a run's
 * cancel interrupts its thread, and the evaluation stops at its next step.
 */
@ApplicationScoped
public class Calculator {

    public static final String NAME = "calculator";
    static final int MAX_LENGTH = 512;
    static final int MAX_DEPTH = 64;
    /** Every result, intermediate ones included, has at most this many digits before the point... */
    static final int MAX_INTEGER_DIGITS = 1000;
    /** ...and, when it is not zero, a first significant digit at most this many places after it. */
    static final int MAX_DECIMAL_PLACES = 1000;
    static final Duration MAX_TIME = Duration.ofSeconds(1);
    private static final MathContext PRECISION = MathContext.DECIMAL64;

    private final Duration maxTime;

    public Calculator() {
        this(MAX_TIME);
    }

    Calculator(Duration maxTime) {
        this.maxTime = maxTime;
    }

    /** Thrown for an expression that cannot be evaluated; the message is fit to show. */
    public static class CalculationException extends RuntimeException {
        CalculationException(String message) {
            super(message, null, false, false);
        }
    }

    public String evaluate(String expression) {
        if (expression.length() > MAX_LENGTH) {
            throw new CalculationException("expression longer than " + MAX_LENGTH + " characters");
        }
        var parser = new Parser(expression, System.nanoTime() + maxTime.toNanos());
        BigDecimal value = parser.expression(0);
        parser.skipSpaces();
        if (parser.position < expression.length()) {
            throw new CalculationException("unexpected '" + expression.charAt(parser.position) + "' at position " + (parser.position + 1));
        }
        return format(value);
    }

    static String format(BigDecimal value) {
        BigDecimal rounded = value.round(PRECISION).stripTrailingZeros();
        return rounded.scale() < 0 ? rounded.setScale(0, RoundingMode.UNNECESSARY).toPlainString() : rounded.toPlainString();
    }

    private final class Parser {
        private final String text;
        private final long deadline;
        private int position;

        Parser(String text, long deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        // expression := term (('+' | '-') term)*
        BigDecimal expression(int depth) {
            BigDecimal value = term(depth);
            while (true) {
                if (take('+')) {
                    value = bounded(value.add(term(depth), PRECISION));
                } else if (take('-')) {
                    value = bounded(value.subtract(term(depth), PRECISION));
                } else {
                    return value;
                }
            }
        }

        // term := power (('*' | '/' | '%') power)*
        BigDecimal term(int depth) {
            BigDecimal value = power(depth);
            while (true) {
                if (take('*')) {
                    value = bounded(value.multiply(power(depth), PRECISION));
                } else if (take('/')) {
                    value = bounded(value.divide(nonZero(power(depth)), PRECISION));
                } else if (take('%')) {
                    // exact: with a precision, remainder refuses a quotient of more digits (10^100 % 3)
                    value = bounded(value.remainder(nonZero(power(depth))).round(PRECISION));
                } else {
                    return value;
                }
            }
        }

        // power := unary ('^' power)?   (right-associative)
        BigDecimal power(int depth) {
            BigDecimal base = unary(depth);
            if (!take('^')) {
                return base;
            }
            BigDecimal exponent = power(depth + 1);
            int n;
            try {
                n = exponent.intValueExact();
            } catch (ArithmeticException e) {
                throw new CalculationException("exponents must be whole numbers");
            }
            if (Math.abs(n) > 9999) {
                throw new CalculationException("exponent too large");
            }
            if (n < 0) {
                nonZero(base);
            }
            if (base.signum() != 0) {
                checkMagnitude(n * log10(base)); // before computing it: 9^9999 is never made
            }
            step();
            // one library call, fast once the result's magnitude is known to be bounded
            BigDecimal power = base.pow(Math.abs(n), PRECISION);
            return bounded(n >= 0 ? power : BigDecimal.ONE.divide(power, PRECISION));
        }

        // unary := ('-' | '+') unary | primary
        BigDecimal unary(int depth) {
            guard(depth);
            if (take('-')) {
                return unary(depth + 1).negate();
            }
            if (take('+')) {
                return unary(depth + 1);
            }
            return primary(depth);
        }

        // primary := number | '(' expression ')'
        BigDecimal primary(int depth) {
            if (take('(')) {
                BigDecimal value = expression(depth + 1);
                if (!take(')')) {
                    throw new CalculationException("missing ')'");
                }
                return value;
            }
            skipSpaces();
            int start = position;
            while (position < text.length() && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
                position++;
            }
            if (start == position) {
                throw new CalculationException(position < text.length()
                        ? "unexpected '" + text.charAt(position) + "' at position " + (position + 1)
                        : "the expression ends too early");
            }
            try {
                return bounded(new BigDecimal(text.substring(start, position)));
            } catch (NumberFormatException e) {
                throw new CalculationException("'" + text.substring(start, position) + "' is not a number");
            }
        }

        /**
         * A result within the bounds, else the refusal that says which. Every step of the
         * evaluation passes here, so it is also where the deadline and an interrupt are seen.
         */
        private BigDecimal bounded(BigDecimal value) {
            step();
            if (value.signum() != 0) {
                checkMagnitude(value.precision() - value.scale() - 1); // the power of ten of its first digit
            }
            return value;
        }

        /** Refuses a result whose first significant digit is at 10^exponent, beyond the bounds. */
        private void checkMagnitude(double exponent) {
            if (exponent >= MAX_INTEGER_DIGITS) {
                throw new CalculationException("the result would have more than " + MAX_INTEGER_DIGITS + " digits");
            }
            if (exponent < -MAX_DECIMAL_PLACES) {
                throw new CalculationException("the result would be smaller than 1e-" + MAX_DECIMAL_PLACES + " (it is not 0)");
            }
        }

        private void step() {
            if (Thread.interrupted()) {
                Thread.currentThread().interrupt(); // the caller decides; the run's end clears it
                throw new CancellationException("calculation interrupted");
            }
            if (System.nanoTime() - deadline > 0) {
                throw new CalculationException("the calculation takes longer than " + maxTime.toMillis() + " ms");
            }
        }

        private BigDecimal nonZero(BigDecimal value) {
            if (value.signum() == 0) {
                throw new CalculationException("division by zero");
            }
            return value;
        }

        /** log10 of |value|, for a value that is not zero: from its digits, never a double overflow. */
        private double log10(BigDecimal value) {
            BigDecimal abs = value.abs();
            int digits = abs.precision();
            double leading = abs.unscaledValue().toString().chars().limit(17)
                    .mapToDouble(c -> c - '0').reduce(0, (a, d) -> a * 10 + d);
            return Math.log10(leading) + (digits - Math.min(digits, 17)) - abs.scale();
        }

        private void guard(int depth) {
            if (depth > MAX_DEPTH) {
                throw new CalculationException("expression nested too deeply");
            }
        }

        private boolean take(char symbol) {
            skipSpaces();
            if (position < text.length() && text.charAt(position) == symbol) {
                position++;
                return true;
            }
            return false;
        }

        void skipSpaces() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }
    }
}
