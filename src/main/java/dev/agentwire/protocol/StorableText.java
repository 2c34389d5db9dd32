package dev.agentwire.protocol;

import static java.lang.annotation.ElementType.FIELD;
import static java.lang.annotation.ElementType.METHOD;
import static java.lang.annotation.ElementType.PARAMETER;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;
import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Text that every supported database stores as given and that reads as it was written: no NUL
 * (PostgreSQL refuses it in text columns, so a message holding one could never be stored), no
 * unpaired surrogate (not a character; UTF-8 cannot encode it), and no bidirectional embedding,
 * override or isolate control (U+202A-U+202E, U+2066-U+2069), which make text display in an
 * order other than the one it is stored and read in. The marks U+200E and U+200F stay allowed.
 * The violation's message names the field, what was found and where.
 */
@Documented
@Constraint(validatedBy = StorableTextValidator.class)
@Target({FIELD, METHOD, PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
public @interface StorableText {

    /** The field's name on the wire, which the message begins with. */
    String field();

    String message() default "contains characters that cannot be stored or shown as written";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
