package dev.agentwire.api.boundary;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.List;

/**
 * Bean Validation of a request (a parameter out of its range): 400 VALIDATION_FAILED, each
 * problem named by the parameter as the client wrote it ({@code limit}, not {@code threads.arg1}).
 * A violation on a return value is the server's fault: 500.
 */
@Provider
public class ConstraintViolationErrors implements ExceptionMapper<ConstraintViolationException> {

    @Inject
    ErrorAnswers answers;

    @Override
    public Response toResponse(ConstraintViolationException e) {
        if (e.getConstraintViolations().stream().anyMatch(ConstraintViolationErrors::onReturnValue)) {
            return answers.bug(e);
        }
        List<FieldProblem> problems = e.getConstraintViolations().stream()
                .map(v -> {
                    String field = fieldOf(v);
                    return new FieldProblem(field, field + " " + v.getMessage());
                })
                .sorted(java.util.Comparator.comparing(FieldProblem::field))
                .toList();
        return answers.refusal(400, ErrorCode.VALIDATION_FAILED, "The request has invalid parameters.", problems);
    }

    private static boolean onReturnValue(ConstraintViolation<?> violation) {
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.RETURN_VALUE) {
                return true;
            }
        }
        return false;
    }

    /** The request parameter's name for a violation on a resource method's parameter, else the property path. */
    static String fieldOf(ConstraintViolation<?> violation) {
        Path.MethodNode method = null;
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.METHOD) {
                method = node.as(Path.MethodNode.class);
            } else if (node.getKind() == ElementKind.PARAMETER && method != null) {
                int index = node.as(Path.ParameterNode.class).getParameterIndex();
                String name = parameterName(violation.getRootBeanClass(), method, index);
                return name != null ? name : node.getName();
            }
        }
        return violation.getPropertyPath().toString();
    }

    private static String parameterName(Class<?> resource, Path.MethodNode node, int index) {
        try {
            Method method = resource.getMethod(node.getName(), node.getParameterTypes().toArray(Class<?>[]::new));
            for (Annotation annotation : method.getParameterAnnotations()[index]) {
                if (annotation instanceof QueryParam q) {
                    return q.value();
                }
                if (annotation instanceof PathParam p) {
                    return p.value();
                }
            }
        } catch (NoSuchMethodException | IndexOutOfBoundsException e) {
            // not a public resource method: fall back to Bean Validation's own name
        }
        return null;
    }
}
