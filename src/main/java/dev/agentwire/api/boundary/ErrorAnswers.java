package dev.agentwire.api.boundary;

import java.nio.charset.StandardCharsets;
import java.io.IOException;
import jakarta.servlet.http.HttpServletResponse;
import dev.agentwire.kernel.Ids;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes every REST error answer: the status, and a JSON body with the WebSocket error frame's
 * fields, {@code code}, {@code message} (for a person, never exception text), {@code retryable},
 * {@code correlation_id} and, for VALIDATION_FAILED, {@code problems}. Refusals are logged at
 * FINE; bugs at SEVERE with the stack trace and the correlation id, and counted like the
 * WebSocket's (agentwire_internal_errors_total).
 */
@ApplicationScoped
public class ErrorAnswers {

    private static final Logger LOG = Logger.getLogger(ErrorAnswers.class.getName());
    /** Headers of the platform's own answer that still hold for ours (Allow of a 405, WWW-Authenticate of a 401). */
    private static final Set<String> KEPT_HEADERS = Set.of(HttpHeaders.ALLOW.toLowerCase(),
            HttpHeaders.WWW_AUTHENTICATE.toLowerCase(), HttpHeaders.RETRY_AFTER.toLowerCase());

    @Inject
    GatewayMetrics metrics;

    /** A refusal of this request: the client's to fix, or to retry when {@code retryable}. */
    public Response refusal(int status, String code, String message, boolean retryable, List<FieldProblem> problems,
                            MultivaluedMap<String, Object> platformHeaders) {
        String correlationId = Ids.newId();
        LOG.fine(() -> "REST request refused: " + status + " " + code + " [" + correlationId + "]");
        Response.ResponseBuilder answer = Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(code, message, retryable, correlationId, problems));
        if (platformHeaders != null) {
            platformHeaders.forEach((name, values) -> {
                if (KEPT_HEADERS.contains(name.toLowerCase())) {
                    values.forEach(value -> answer.header(name, value));
                }
            });
        }
        return answer.build();
    }

    public Response refusal(int status, ErrorCode code, String message, List<FieldProblem> problems) {
        return refusal(status, code.name(), message, code.retryable(), problems, null);
    }

    /** A bug: 500 INTERNAL_ERROR, logged with its correlation id and counted. */
    public Response bug(Throwable e) {
        String correlationId = Ids.newId();
        metrics.internalError();
        LOG.log(Level.SEVERE, "Internal error [" + correlationId + "] in a REST request", e);
        ErrorCode code = ErrorCode.INTERNAL_ERROR;
        return Response.serverError()
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(body(code.name(), code.message(), code.retryable(), correlationId, List.of()))
                .build();
    }

    /**
     * Writes a refusal made before JAX-RS runs (a servlet filter's, a body reader's): the same
     * body, and the connection closed, as a request body may still be on its way.
     */
    public static void write(HttpServletResponse response, int status, String code, String message, boolean retryable)
            throws IOException {
        byte[] answer = body(code, message, retryable, Ids.newId(), List.of()).toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setHeader("Connection", "close");
        response.setContentType(MediaType.APPLICATION_JSON);
        response.setContentLength(answer.length);
        response.getOutputStream().write(answer);
    }

    /** The error body; {@code problems} is left out when empty. */
    public static JsonObject body(String code, String message, boolean retryable, String correlationId, List<FieldProblem> problems) {
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("code", code)
                .add("message", message)
                .add("retryable", retryable)
                .add("correlation_id", correlationId);
        if (!problems.isEmpty()) {
            JsonArrayBuilder list = Json.createArrayBuilder();
            problems.forEach(p -> list.add(Json.createObjectBuilder().add("field", p.field()).add("message", p.message())));
            body.add("problems", list);
        }
        return body.build();
    }
}
