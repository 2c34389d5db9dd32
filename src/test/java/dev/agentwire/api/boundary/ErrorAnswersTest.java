package dev.agentwire.api.boundary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The REST error body has the WebSocket error frame's fields, and the status follows the code. */
class ErrorAnswersTest {

    @Test
    void bodyHasTheErrorFramesFieldsAndProblemsOnlyWhenThereAreSome() {
        JsonObject body = ErrorAnswers.body("VALIDATION_FAILED", "The request has invalid parameters.", false, "c-1",
                List.of(new FieldProblem("limit", "limit must be a whole number.")));
        assertEquals("VALIDATION_FAILED", body.getString("code"));
        assertEquals("The request has invalid parameters.", body.getString("message"));
        assertFalse(body.getBoolean("retryable"));
        assertEquals("c-1", body.getString("correlation_id"));
        assertEquals("limit", body.getJsonArray("problems").getJsonObject(0).getString("field"));

        JsonObject plain = ErrorAnswers.body("NOT_FOUND", "There is nothing at this address.", false, "c-2", List.of());
        assertFalse(plain.containsKey("problems"));
    }

    @Test
    void gatewayCodesGetTheirHttpStatus() {
        assertEquals(404, GatewayErrors.statusOf(ErrorCode.THREAD_NOT_FOUND));
        assertEquals(503, GatewayErrors.statusOf(ErrorCode.STORAGE_UNAVAILABLE));
        assertEquals(401, GatewayErrors.statusOf(ErrorCode.AUTH_EXPIRED));
        assertEquals(503, GatewayErrors.statusOf(ErrorCode.AUTH_KEYS_UNAVAILABLE));
        assertEquals(403, GatewayErrors.statusOf(ErrorCode.FORBIDDEN));
        assertEquals(429, GatewayErrors.statusOf(ErrorCode.RATE_LIMITED));
        assertEquals(400, GatewayErrors.statusOf(ErrorCode.VALIDATION_FAILED));
        assertEquals(500, GatewayErrors.statusOf(ErrorCode.INTERNAL_ERROR));
    }
}
