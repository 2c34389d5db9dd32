package dev.agentwire.chat.control;

import dev.agentwire.kernel.Ids;
import dev.agentwire.connections.control.Connection;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.operations.GatewayMetrics;
import dev.agentwire.protocol.ClientFrame;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.FrameCodec;
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
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns what a connection's code throws into an error frame on that connection. A
 * {@link GatewayException} carries its own code; a failed Bean Validation is VALIDATION_FAILED;
 * anything else is a bug: INTERNAL_ERROR, logged with its correlation id and counted. An error
 * frame that leaves the session open names the chat or answer it refuses (its client_msg_id or
 * interrupt_id): the frame is the root bean of a failed validation, and otherwise the received
 * text among the intercepted method's parameters, decoded again on this path only.
 */
@ErrorsAsFrames
@Interceptor
@Priority(Interceptor.Priority.APPLICATION)
public class ErrorFrameInterceptor {

    private static final Logger LOG = Logger.getLogger(ErrorFrameInterceptor.class.getName());

    @Inject
    GatewayMetrics metrics;

    @Inject
    FrameCodec codec;

    @AroundInvoke
    public Object answerWithFrame(InvocationContext invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Exception e) {
            Connection connection = connectionOf(invocation);
            if (connection == null) {
                throw e;
            }
            report(connection, e, invocation);
            return null;
        }
    }

    private void report(Connection connection, Exception e, InvocationContext invocation) {
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
        ServerFrame.ErrorFrame frame = ServerFrame.ErrorFrame.of(code, message, correlationId, problems);
        if (frame.closeCode() == null && code != ErrorCode.INVALID_FRAME) {
            frame = refusedFrame(e, invocation).map(frame::refusing).orElse(frame);
        }
        connection.fail(code, frame);
        if ((code == ErrorCode.INVALID_FRAME || code == ErrorCode.VALIDATION_FAILED) && !connection.toleratesInvalidFrame()) {
            ErrorCode limit = ErrorCode.TOO_MANY_INVALID_FRAMES;
            connection.fail(limit, limit.message(), correlationId);
        }
    }

    /** The client frame whose handling threw, when it was decoded or can be. */
    private Optional<ClientFrame> refusedFrame(Exception e, InvocationContext invocation) {
        if (e instanceof ConstraintViolationException violation) {
            return violation.getConstraintViolations().stream().findFirst()
                    .map(v -> v.getRootBean()).filter(ClientFrame.class::isInstance).map(ClientFrame.class::cast);
        }
        for (Object parameter : invocation.getParameters()) {
            if (parameter instanceof String text) {
                try {
                    return Optional.of(codec.decode(text));
                } catch (GatewayException invalid) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
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
