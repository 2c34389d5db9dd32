package dev.agentwire.api.boundary;

import dev.agentwire.protocol.ServerFrame.FieldProblem;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import java.lang.annotation.Annotation;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the query and path parameters of a request that its resource method cannot take, such as
 * {@code limit=abc} for an {@code int}. JAX-RS answers such a request 404 (the specification's
 * rule for a value that does not convert) and names no parameter, portably; this converts each
 * value again the way JAX-RS does (a primitive's wrapper, {@code fromString}, {@code valueOf} or a
 * String constructor) to say which one it was.
 */
final class UnreadableParameters {

    private static final Map<Class<?>, Class<?>> WRAPPERS = Map.of(int.class, Integer.class, long.class, Long.class,
            short.class, Short.class, byte.class, Byte.class, double.class, Double.class, float.class, Float.class,
            boolean.class, Boolean.class, char.class, Character.class);

    private UnreadableParameters() {
    }

    /** The parameters whose values do not convert, with what they must be; empty when all do. */
    static List<FieldProblem> of(Method method, Map<String, List<String>> query, Map<String, List<String>> path) {
        List<FieldProblem> problems = new ArrayList<>();
        Class<?>[] types = method.getParameterTypes();
        Annotation[][] annotations = method.getParameterAnnotations();
        for (int i = 0; i < types.length; i++) {
            Class<?> type = types[i];
            for (Annotation annotation : annotations[i]) {
                String name = null;
                List<String> values = null;
                if (annotation instanceof QueryParam q) {
                    name = q.value();
                    values = query.get(name);
                } else if (annotation instanceof PathParam p) {
                    name = p.value();
                    values = path.get(name);
                }
                if (name != null && values != null && !values.stream().allMatch(v -> converts(type, v))) {
                    problems.add(new FieldProblem(name, name + " must be " + expectation(type) + "."));
                }
            }
        }
        return problems;
    }

    static boolean converts(Class<?> type, String value) {
        Class<?> target = WRAPPERS.getOrDefault(type, type);
        if (target == String.class) {
            return true;
        }
        if (target == Character.class) {
            return value.length() == 1;
        }
        try {
            for (String factory : List.of("fromString", "valueOf")) {
                Method convert = factoryOf(target, factory);
                if (convert != null) {
                    convert.invoke(null, value);
                    return true;
                }
            }
            Constructor<?> constructor = target.getConstructor(String.class);
            constructor.newInstance(value);
            return true;
        } catch (InvocationTargetException e) {
            return false;
        } catch (ReflectiveOperationException e) {
            return true; // not a type this check understands: it names no problem rather than a wrong one
        }
    }

    private static Method factoryOf(Class<?> type, String name) {
        try {
            Method method = type.getMethod(name, String.class);
            return Modifier.isStatic(method.getModifiers()) ? method : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static String expectation(Class<?> type) {
        Class<?> target = WRAPPERS.getOrDefault(type, type);
        if (target == Integer.class || target == Long.class || target == Short.class || target == Byte.class) {
            return "a whole number";
        }
        if (target == Double.class || target == Float.class) {
            return "a number";
        }
        return "a valid value";
    }
}
