package dev.agentwire.agents.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import dev.agentwire.notes.control.Notes;
import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.Optional;

/**
 * The built-in agent: needs no network. It finds arithmetic in a message and answers it with
 * the calculator tool; "remember that ..." asks to save a note (a call that waits for the
 * person's approval by default), "what are my notes" lists them; anything else gets an
 * explanation of what it can do. After an approval's answer it reports the call's result.
 * Its answers are Markdown, as a model's are: a formula is a code span, so that the chat page
 * shows {@code 2*3*4} as written rather than with its middle in italics.
 */
@ApplicationScoped
public class OfflineAgent implements Agent {

    public static final String NAME = "offline";

    private static final String ARITHMETIC_CHARACTERS = "0123456789.+-*/%^() ";

    @Inject
    Calculator calculator;

    @Inject
    ToolCalls tools;

    private static final Pattern REMEMBER = Pattern.compile("^\\s*(?:please\\s+)?remember\\b(?:\\s+that\\b)?\\s*(.*)$",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern NOTES = Pattern.compile("\\b(?:what are|list|show)\\s+(?:me\\s+)?my\\s+notes\\b|^\\s*my notes\\b",
            Pattern.CASE_INSENSITIVE);

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
        if ("tool".equals(request.last().role())) {
            events.completed(request.message()); // the result of an approved or rejected call
            return;
        }
        Optional<String> note = noteIn(message);
        if (note.isPresent()) {
            events.thinking("This asks to save a note.");
            var outcome = tools.call(request.run(), events, ToolCalls.newCallId(), ServerTools.SAVE_NOTE,
                    Json.createObjectBuilder().add("text", note.get()).build(), "");
            if (!outcome.paused()) {
                events.completed(outcome.result().output());
            }
            return;
        }
        if (asksForNotes(message)) {
            events.thinking("This asks for the saved notes.");
            var outcome = tools.call(request.run(), events, ToolCalls.newCallId(), ServerTools.LIST_NOTES,
                    JsonValue.EMPTY_JSON_OBJECT, "");
            if (!outcome.paused()) {
                events.completed(outcome.result().output());
            }
            return;
        }
        Optional<String> expression = arithmeticIn(message);
        if (expression.isEmpty()) {
            events.thinking("No arithmetic in this message; explaining what I can do.");
            events.completed("I am agentwire's built-in offline agent. I can work out arithmetic for you,"
                    + " for example \"what is 12*(3+4)?\", keep notes (\"remember that ...\", after you approve;"
                    + " \"what are my notes\"). Configure a model backend for open conversation.");
            return;
        }
        String formula = expression.get();
        events.thinking("This needs a calculation: " + formula);
        events.toolExecuting(Calculator.NAME, Map.of("expression", formula));
        try {
            String result = calculator.evaluate(formula);
            events.toolCompleted(Calculator.NAME, result, false);
            events.completed(code(formula) + " = " + result);
        } catch (Calculator.CalculationException e) {
            events.toolCompleted(Calculator.NAME, e.getMessage(), true);
            events.completed("I could not work out " + code(formula) + ": " + e.getMessage() + ".");
        }
    }

    /** The note "remember that ..." asks to save (at most {@link Notes#MAX_TEXT} characters); empty for other messages. */
    static Optional<String> noteIn(String message) {
        Matcher remember = REMEMBER.matcher(message);
        if (!remember.matches() || remember.group(1).isBlank()) {
            return Optional.empty();
        }
        String text = remember.group(1).strip();
        return Optional.of(text.length() > Notes.MAX_TEXT ? text.substring(0, Notes.MAX_TEXT) : text);
    }

    /** Whether the message asks for the saved notes ("what are my notes", "list my notes", "my notes"). */
    static boolean asksForNotes(String message) {
        return NOTES.matcher(message).find();
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

    /** A Markdown code span; arithmetic holds no backtick. */
    private static String code(String formula) {
        return "`" + formula + "`";
    }
}
