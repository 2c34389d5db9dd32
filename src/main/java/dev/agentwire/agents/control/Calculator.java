package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * The calculator tool: evaluates arithmetic with + - * / % ^, parentheses, unary signs and
 * decimals, by recursive descent over exact decimals. Bounded in length and depth, so no input
 * can exhaust the stack.
 */
@ApplicationScoped
public class Calculator {

    public static final String NAME = "calculator";
    static final int MAX_LENGTH = 512;
    static final int MAX_DEPTH = 64;
    private static final MathContext PRECISION = MathContext.DECIMAL64;

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
        var parser = new Parser(expression);
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

    private static final class Parser {
        private final String text;
        private int position;

        Parser(String text) {
            this.text = text;
        }

        // expression := term (('+' | '-') term)*
        BigDecimal expression(int depth) {
            BigDecimal value = term(depth);
            while (true) {
                if (take('+')) {
                    value = value.add(term(depth), PRECISION);
                } else if (take('-')) {
                    value = value.subtract(term(depth), PRECISION);
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
                    value = value.multiply(power(depth), PRECISION);
                } else if (take('/')) {
                    value = value.divide(nonZero(power(depth)), PRECISION);
                } else if (take('%')) {
                    value = value.remainder(nonZero(power(depth)), PRECISION);
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
            try {
                int n = exponent.intValueExact();
                if (Math.abs(n) > 9999) {
                    throw new CalculationException("exponent too large");
                }
                return n >= 0 ? base.pow(n, PRECISION) : BigDecimal.ONE.divide(nonZero(base).pow(-n, PRECISION), PRECISION);
            } catch (ArithmeticException e) {
                throw new CalculationException("exponents must be whole numbers");
            }
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
                return new BigDecimal(text.substring(start, position));
            } catch (NumberFormatException e) {
                throw new CalculationException("'" + text.substring(start, position) + "' is not a number");
            }
        }

        private BigDecimal nonZero(BigDecimal value) {
            if (value.signum() == 0) {
                throw new CalculationException("division by zero");
            }
            return value;
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
