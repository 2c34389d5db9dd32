package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in agent: needs no network. It finds arithmetic in a message and answers it with
 * the calculator tool; anything else gets an explanation of what it can do.
 */
@ApplicationScoped
public class OfflineAgent implements Agent {

    public static final String NAME = "offline";

    /** Runs of digits, operators, parentheses and spaces that contain at least one operator between operands. */
    private static final Pattern ARITHMETIC = Pattern.compile("[-+(]*[\\d.]+(?:\\s*[-+*/%^()]+\\s*[-+(]*[\\d.]+\\)*)+\\)*");

    @Inject
    Calculator calculator;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean isAvailable() {
        try {
            return "4".equals(calculator.evaluate("2+2"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void run(Request request, RunEvents events) {
        String message = request.message();
        events.started(NAME);
        Optional<String> expression = arithmeticIn(message);
        if (expression.isEmpty()) {
            events.thinking("No arithmetic in this message; explaining what I can do.");
            events.completed("I am agentwire's built-in offline agent. I can work out arithmetic for you,"
                    + " for example \"what is 12*(3+4)?\". Configure a model backend for open conversation.");
            return;
        }
        String formula = expression.get();
        events.thinking("This needs a calculation: " + formula);
        events.toolExecuting(Calculator.NAME, Map.of("expression", formula));
        try {
            String result = calculator.evaluate(formula);
            events.toolCompleted(Calculator.NAME, result, false);
            events.completed(formula + " = " + result);
        } catch (Calculator.CalculationException e) {
            events.toolCompleted(Calculator.NAME, e.getMessage(), true);
            events.completed("I could not work out " + formula + ": " + e.getMessage() + ".");
        }
    }

    static Optional<String> arithmeticIn(String message) {
        Matcher matcher = ARITHMETIC.matcher(message);
        String longest = null;
        while (matcher.find()) {
            if (longest == null || matcher.group().length() > longest.length()) {
                longest = matcher.group();
            }
        }
        return Optional.ofNullable(longest).map(String::trim).map(OfflineAgent::balanceParentheses);
    }

    /** Drops unmatched closing parentheses picked up from surrounding prose, such as "(try 1+2)". */
    private static String balanceParentheses(String expression) {
        StringBuilder kept = new StringBuilder();
        int open = 0;
        for (char c : expression.toCharArray()) {
            if (c == '(') {
                open++;
            } else if (c == ')') {
                if (open == 0) {
                    continue;
                }
                open--;
            }
            kept.append(c);
        }
        return kept.toString();
    }
}
