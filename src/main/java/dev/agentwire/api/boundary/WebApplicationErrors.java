package dev.agentwire.api.boundary;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.util.List;

/**
 * The platform's refusals (404 unknown path, 405, 406, 415, a value that does not convert, and
 * any WebApplicationException a resource throws without a body) as the JSON error body. A 404
 * for a parameter value that does not convert is really bad input: 400 VALIDATION_FAILED naming
 * the parameter. A WebApplicationException that carries its own body never reaches a mapper
 * (Jakarta REST 3.1, section 3.3.4) and is answered as it is.
 */
@Provider
public class WebApplicationErrors implements ExceptionMapper<WebApplicationException> {

    @Inject
    ErrorAnswers answers;

    @Context
    ResourceInfo resource;

    @Context
    UriInfo uri;

    @Context
    Request request;

    @Override
    public Response toResponse(WebApplicationException e) {
        Response platform = e.getResponse();
        int status = platform.getStatus();
        if (status == 503) {
            return answers.refusal(503, ErrorCode.SERVER_BUSY.name(), "The service is unavailable right now; retry later.",
                    true, List.of(), platform.getHeaders());
        }
        if (status >= 500) {
            return answers.bug(e);
        }
        if (status == 404 && e.getCause() != null) {
            Method method = resource.getResourceMethod();
            if (method != null) {
                List<FieldProblem> problems = UnreadableParameters.of(method, uri.getQueryParameters(), uri.getPathParameters());
                return answers.refusal(400, ErrorCode.VALIDATION_FAILED, problems.isEmpty()
                        ? "A parameter of the request has an invalid value." : "The request has invalid parameters.", problems);
            }
        }
        String code;
        String message;
        boolean retryable = false;
        switch (status) {
            case 400 -> {
                code = "INVALID_REQUEST";
                message = isUnreadableJson(e) ? "The request body is not valid JSON." : "The request could not be understood.";
            }
            case 401 -> {
                code = ErrorCode.AUTH_MISSING_TOKEN.name();
                message = ErrorCode.AUTH_MISSING_TOKEN.message();
            }
            case 403 -> {
                code = ErrorCode.FORBIDDEN.name();
                message = "You are not allowed to do this.";
            }
            case 404 -> {
                code = "NOT_FOUND";
                message = "There is nothing at this address.";
            }
            case 405 -> {
                code = "METHOD_NOT_ALLOWED";
                message = "This address does not answer " + request.getMethod() + "; the Allow header lists what it answers.";
            }
            case 406 -> {
                code = "NOT_ACCEPTABLE";
                message = "This address cannot answer with a type the Accept header allows (application/json; for AG-UI, text/event-stream).";
            }
            case 415 -> {
                code = "UNSUPPORTED_MEDIA_TYPE";
                message = "This address does not take a request body of this type.";
            }
            case 429 -> {
                code = ErrorCode.TOO_MANY_REQUESTS.name();
                message = "Too many requests; slow down.";
                retryable = true;
            }
            default -> {
                code = "INVALID_REQUEST";
                message = "The request could not be served.";
            }
        }
        return answers.refusal(status, code, message, retryable, List.of(), platform.getHeaders());
    }

    /** A body that JSON-B or JSON-P could not read, somewhere in the cause chain. */
    static boolean isUnreadableJson(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof JsonbException || cause instanceof JsonException) {
                return true;
            }
        }
        return false;
    }
}
