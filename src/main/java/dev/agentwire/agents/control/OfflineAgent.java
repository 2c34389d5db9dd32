package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in agent: needs no network. It finds arithmetic in a message and answers it with
 * the calculator tool; anything else gets an explanation of what it can do.
 */
@ApplicationScoped
public class OfflineAgent implements Agent {

    public static final String NAME = "offline";

    private static final String ARITHMETIC_CHARACTERS = "0123456789.+-*/%^() ";

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
    public boolean readsHistory() {
        return false; // it answers the message alone
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

    /**
     * The longest run of arithmetic characters that holds an operator between two numbers. A
     * linear scan: a regular expression over a long message would recurse once per term.
     */
    static Optional<String> arithmeticIn(String message) {
        String longest = null;
        int start = -1;
        for (int i = 0; i <= message.length(); i++) {
            boolean arithmetic = i < message.length() && ARITHMETIC_CHARACTERS.indexOf(message.charAt(i)) >= 0;
            if (arithmetic && start < 0) {
                start = i;
            } else if (!arithmetic && start >= 0) {
                String candidate = trimToOperands(message.substring(start, i));
                if (isFormula(candidate) && (longest == null || candidate.length() > longest.length())) {
                    longest = candidate;
                }
                start = -1;
            }
        }
        return Optional.ofNullable(longest).map(OfflineAgent::balanceParentheses);
    }

    /** Cuts leading and trailing characters that cannot begin or end an expression. */
    private static String trimToOperands(String run) {
        int from = 0;
        int to = run.length();
        while (from < to && "*/%^) .".indexOf(run.charAt(from)) >= 0) {
            from++;
        }
        while (to > from && "+-*/%^( .".indexOf(run.charAt(to - 1)) >= 0) {
            to--;
        }
        return run.substring(from, to);
    }

    /** A digit, then an operator, then a digit. */
    private static boolean isFormula(String candidate) {
        int firstDigit = -1;
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (Character.isDigit(c) && firstDigit < 0) {
                firstDigit = i;
            } else if (firstDigit >= 0 && "+-*/%^".indexOf(c) >= 0) {
                for (int j = i + 1; j < candidate.length(); j++) {
                    if (Character.isDigit(candidate.charAt(j))) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
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
