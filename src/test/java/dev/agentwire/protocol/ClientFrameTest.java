package dev.agentwire.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientFrameTest {

    static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();
    final FrameCodec codec = new FrameCodec();

    /** The JSON escapes a client sends; the decoder turns them into the characters. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a\\u0000b          | text must not contain the NUL character (U+0000); found at character 2",
            "\\u0000x           | text must not contain the NUL character (U+0000); found at character 1",
            "ab\\ud800          | text must not contain an unpaired surrogate (U+D800); found at character 3",
            "\\udc00x           | text must not contain an unpaired surrogate (U+DC00); found at character 1",
            "\\ud83d\\ude00\\udbff | text must not contain an unpaired surrogate (U+DBFF); found at character 2",
            "abc\\u202edef      | text must not contain bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069); found U+202E at character 4",
            "\\u202a            | text must not contain bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069); found U+202A at character 1",
            "x\\u2066y\\u2069     | text must not contain bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069); found U+2066 at character 2",
            "\\u2069            | text must not contain bidirectional embedding, override or isolate controls (U+202A-U+202E, U+2066-U+2069); found U+2069 at character 1",
    })
    void chatTextThatCannotBeStoredOrShownAsWrittenIsRefusedWithTheFieldNamed(String escaped, String message) {
        List<ConstraintViolation<ClientFrame>> violations = List.copyOf(VALIDATOR.validate(chat(escaped)));
        assertEquals(1, violations.size(), () -> "violations " + violations);
        assertEquals("text", violations.get(0).getPropertyPath().toString());
        assertEquals(message, violations.get(0).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello", "\\ud83d\\ude00 emoji", "\\u200f\\u05e9\\u05dc\\u05d5\\u05dd marks", "\\u2029\\u202f\\u2065\\u206a near the ranges",
            "tab\\tand\\nnewline", "\\u0627\\u0644\\u0633\\u0644\\u0627\\u0645"})
    void ordinaryTextIsAccepted(String escaped) {
        assertTrue(VALIDATOR.validate(chat(escaped)).isEmpty());
    }

    private ClientFrame chat(String escaped) {
        return codec.decode("{\"type\":\"chat\",\"text\":\"" + escaped + "\"}");
    }
}
