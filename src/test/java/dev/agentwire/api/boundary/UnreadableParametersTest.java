package dev.agentwire.api.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which request parameter did not convert, found the way JAX-RS converts values. */
class UnreadableParametersTest {

    @SuppressWarnings("unused")
    public static class Resource {
        public void page(@PathParam("id") String id,
                         @QueryParam("after_seq") @DefaultValue("0") long afterSeq,
                         @QueryParam("limit") @DefaultValue("20") int limit,
                         @QueryParam("since") Instant since) {
        }
    }

    final Method page = method();

    @Test
    void namesTheQueryParameterThatIsNotANumber() {
        assertEquals(List.of(new FieldProblem("limit", "limit must be a whole number.")),
                UnreadableParameters.of(page, Map.of("limit", List.of("abc"), "after_seq", List.of("5")), Map.of("id", List.of("t1"))));
        assertEquals(List.of(new FieldProblem("after_seq", "after_seq must be a whole number."),
                        new FieldProblem("limit", "limit must be a whole number.")),
                UnreadableParameters.of(page, Map.of("limit", List.of("99999999999"), "after_seq", List.of("1.5")), Map.of()));
    }

    @Test
    void valuesThatConvertAndMissingOnesAreNoProblem() {
        assertEquals(List.of(), UnreadableParameters.of(page, Map.of("limit", List.of("7")), Map.of("id", List.of("anything"))));
        assertEquals(List.of(), UnreadableParameters.of(page, Map.of(), Map.of()));
    }

    @Test
    void convertsLikeJaxRs() {
        assertTrue(UnreadableParameters.converts(int.class, "-3"));
        assertFalse(UnreadableParameters.converts(Integer.class, "3x"));
        assertTrue(UnreadableParameters.converts(String.class, "3x"));
        assertFalse(UnreadableParameters.converts(java.time.DayOfWeek.class, "FUNDAY"), "an enum's valueOf");
        assertTrue(UnreadableParameters.converts(Instant.class, "yesterday"), "a type JAX-RS cannot convert is not blamed");
    }

    private static Method method() {
        try {
            return Resource.class.getMethod("page", String.class, long.class, int.class, Instant.class);
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }
}
