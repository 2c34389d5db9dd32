package dev.agentwire.chat.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.protocol.ServerFrame;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.validation.ConstraintViolationException;
import jakarta.websocket.Session;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns what a connection's code throws into an error frame on that connection. A
 * {@link GatewayException} carries its own code; a failed Bean Validation is VALIDATION_FAILED;
 * anything else is a bug: INTERNAL_ERROR, logged with its correlation id and counted.
 */
@ErrorsAsFrames
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class ErrorFrameInterceptor {

    private static final Logger LOG = Logger.getLogger(ErrorFrameInterceptor.class.getName());

    @Inject
    GatewayMetrics metrics;

    @AroundInvoke
    public Object answerWithFrame(InvocationContext invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Exception e) {
            Connection connection = connectionOf(invocation);
            if (connection == null) {
                throw e;
            }
            report(connection, e);
            return null;
        }
    }

    private void report(Connection connection, Exception e) {
        String correlationId = Ids.newId();
        ErrorCode code;
        String message;
        List<ServerFrame.FieldProblem> problems = List.of();
        if (e instanceof GatewayException refusal) {
            code = refusal.code();
            message = refusal.personMessage();
            problems = refusal.problems();
            LOG.fine(() -> "Refused on " + describe(connection) + ": " + refusal.code() + " [" + correlationId + "]");
        } else if (e instanceof ConstraintViolationException violation) {
            code = ErrorCode.VALIDATION_FAILED;
            message = code.message();
            problems = violation.getConstraintViolations().stream()
                    .map(v -> new ServerFrame.FieldProblem(snakeCase(v.getPropertyPath().toString()), v.getMessage()))
                    .toList();
        } else {
            code = ErrorCode.INTERNAL_ERROR;
            message = code.message();
            metrics.internalError();
            LOG.log(Level.SEVERE, "Internal error [" + correlationId + "] on " + describe(connection), e);
        }
        connection.fail(code, ServerFrame.ErrorFrame.of(code, message, correlationId, problems));
        if ((code == ErrorCode.INVALID_FRAME || code == ErrorCode.VALIDATION_FAILED) && !connection.toleratesInvalidFrame()) {
            ErrorCode limit = ErrorCode.TOO_MANY_INVALID_FRAMES;
            connection.fail(limit, limit.message(), correlationId);
        }
    }

    private Connection connectionOf(InvocationContext invocation) {
        for (Object parameter : invocation.getParameters()) {
            if (parameter instanceof Connection connection) {
                return connection;
            }
            if (parameter instanceof Session session) {
                return ChatSessions.connectionOf(session);
            }
        }
        return null;
    }

    /** Field names as the client wrote them: threadId is thread_id on the wire. */
    static String snakeCase(String path) {
        return path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String describe(Connection connection) {
        return connection.context()
                .map(c -> "connection " + c.connectionId() + " of user " + c.userId() + " (request " + c.requestId() + ")")
                .orElse("unauthenticated session " + connection.sessionId());
    }
}
