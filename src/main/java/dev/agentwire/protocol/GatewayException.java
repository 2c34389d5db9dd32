package dev.agentwire.protocol;

import jakarta.ejb.ApplicationException;
import java.util.List;

/**
 * A refusal the client must hear about: it becomes an error frame, and a close where the code
 * says so. The message is for a person and never carries exception text. An application
 * exception, so EJBs such as the connection hub pass it on unwrapped.
 */
@ApplicationException
public class GatewayException extends RuntimeException {

    private final ErrorCode code;
    private final String personMessage;
    private final List<ServerFrame.FieldProblem> problems;

    public GatewayException(ErrorCode code) {
        this(code, code.message(), List.of());
    }

    public GatewayException(ErrorCode code, String personMessage) {
        this(code, personMessage, List.of());
    }

    public GatewayException(ErrorCode code, String personMessage, List<ServerFrame.FieldProblem> problems) {
        super(code.name(), null, false, false);
        this.code = code;
        this.personMessage = personMessage;
        this.problems = List.copyOf(problems);
    }

    public ErrorCode code() {
        return code;
    }

    public String personMessage() {
        return personMessage;
    }

    public List<ServerFrame.FieldProblem> problems() {
        return problems;
    }
}
