package dev.agentwire.api.boundary;

import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/**
 * Anything no other mapper claims. A request body the platform's JSON reader could not read
 * (a ProcessingException caused by JSON-B or JSON-P) is the client's: 400 INVALID_REQUEST. The rest is a bug: 500 INTERNAL_ERROR with a correlation
 * id, logged with the stack trace; the exception's text never reaches the client.
 */
@Provider
public class UnexpectedErrors implements ExceptionMapper<Throwable> {

    @Inject
    ErrorAnswers answers;

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof ProcessingException && WebApplicationErrors.isUnreadableJson(e)) {
            return answers.refusal(400, "INVALID_REQUEST", "The request body is not valid JSON.", false, List.of(), null);
        }
        return answers.bug(e);
    }
}
