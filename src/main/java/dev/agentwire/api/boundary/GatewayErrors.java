package dev.agentwire.api.boundary;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/** A refusal a resource throws as a {@link GatewayException}, answered with the status its code calls for. */
@Provider
public class GatewayErrors implements ExceptionMapper<GatewayException> {

    @Inject
    ErrorAnswers answers;

    @Override
    public Response toResponse(GatewayException e) {
        if (e.code().isBug()) {
            return answers.bug(e);
        }
        return answers.refusal(statusOf(e.code()), e.code(), e.personMessage(), e.problems());
    }

    static int statusOf(ErrorCode code) {
        if (code.name().startsWith("AUTH_")) {
            return code == ErrorCode.AUTH_KEYS_UNAVAILABLE ? 503 : 401;
        }
        return switch (code) {
            case FORBIDDEN -> 403;
            case THREAD_NOT_FOUND, RUN_NOT_FOUND -> 404;
            case RATE_LIMITED, TOO_MANY_REQUESTS, TOO_MANY_CONNECTIONS -> 429;
            case STORAGE_UNAVAILABLE, SERVER_BUSY, SERVER_SHUTDOWN, AGENT_UNAVAILABLE -> 503;
            case INTERNAL_ERROR -> 500;
            default -> 400;
        };
    }
}
