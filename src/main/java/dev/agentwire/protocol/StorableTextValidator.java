package dev.agentwire.protocol;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import java.util.Optional;

/** Checks {@link StorableText}: one pass over the UTF-16 units. */
public class StorableTextValidator implements ConstraintValidator<StorableText, String> {

    private String field;

    @Override
    public void initialize(StorableText constraint) {
        field = constraint.field();
    }

    @Override
    public boolean isValid(String text, ConstraintValidatorContext context) {
        Optional<String> problem = text == null ? Optional.empty() : problemIn(text);
        if (problem.isEmpty()) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        // the message is built here, without user text, so nothing in it is an interpolation expression
        context.buildConstraintViolationWithTemplate(field + " " + problem.get()).addConstraintViolation();
        return false;
    }

    /** What is wrong with the text, counting characters (code points) from 1; empty when nothing is. */
    public static Optional<String> problemIn(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\u0000') {
                return Optional.of("must not contain the NUL character (U+0000); found at character " + position(text, i));
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++; // a pair: one character beyond U+FFFF
            } else if (Character.isSurrogate(c)) {
                return Optional.of(String.format("must not contain an unpaired surrogate (U+%04X); found at character %d",
                        (int) c, position(text, i)));
            } else if ((c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')) {
                return Optional.of(String.format("must not contain bidirectional embedding, override or isolate controls"
                        + " (U+202A-U+202E, U+2066-U+2069); found U+%04X at character %d", (int) c, position(text, i)));
            }
        }
        return Optional.empty();
    }

    /** What {@link #replaceUnstorable} puts in place of a character no database can store. */
    public static final char REPLACEMENT = '\uFFFD';

    /**
     * The text with each NUL and each unpaired surrogate replaced by U+FFFD, the same text when it
     * has none (null stays null): what every supported database stores as given and every encoder
     * writes. For text agentwire passes on rather than refuses (an agent's output); bidirectional
     * controls stay, as they are storable.
     */
    public static String replaceUnstorable(String text) {
        if (text == null) {
            return null;
        }
        int first = firstUnstorable(text, 0);
        if (first < 0) {
            return text;
        }
        char[] chars = text.toCharArray();
        for (int i = first; i >= 0; i = firstUnstorable(text, i + 1)) {
            chars[i] = REPLACEMENT;
        }
        return new String(chars);
    }

    /** The index of the first NUL or unpaired surrogate at or after {@code from}, or -1. */
    private static int firstUnstorable(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (c == '\u0000' || Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static int position(String text, int index) {
        return text.codePointCount(0, index) + 1;
    }
}
