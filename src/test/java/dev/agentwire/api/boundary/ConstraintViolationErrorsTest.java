package dev.agentwire.api.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.QueryParam;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A violated parameter constraint is named by its query parameter, as the client wrote it. */
class ConstraintViolationErrorsTest {

    @SuppressWarnings("unused")
    public static class Resource {
        public String page(@QueryParam("after_seq") @Min(0) long afterSeq, @QueryParam("limit") @Min(1) @Max(100) int limit) {
            return "";
        }
    }

    @Test
    void theFieldIsTheQueryParameterNotTheJavaParameter() throws Exception {
        Method page = Resource.class.getMethod("page", long.class, int.class);
        Set<ConstraintViolation<Resource>> violations = Validation.buildDefaultValidatorFactory().getValidator().forExecutables()
                .validateParameters(new Resource(), page, new Object[] {-1L, 1000});
        List<String> fields = violations.stream().map(ConstraintViolationErrors::fieldOf).sorted().toList();
        assertEquals(List.of("after_seq", "limit"), fields);
    }
}
