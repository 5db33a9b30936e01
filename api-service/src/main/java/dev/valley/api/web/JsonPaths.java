package dev.valley.api.web;

import java.util.LinkedList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Turns Jackson's reference paths into the dotted field names problem details use, e.g. {@code spec.hidden[1]}. */
public final class JsonPaths {
    private JsonPaths() {
    }

    public static String of(List<JacksonException.Reference> path) {
        StringBuilder field = new StringBuilder();
        for (JacksonException.Reference ref : path) {
            if (ref.getPropertyName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                field.append('[').append(ref.getIndex()).append(']');
            }
        }
        return field.toString();
    }

    /**
     * Where a read error happened: its reference path, or, when the parser threw it before binding added one, the
     * parser's own position (for a number out of its field's range).
     */
    public static String of(JacksonException e) {
        if (!e.getPath().isEmpty() || !(e.processor() instanceof JsonParser parser)) {
            return of(e.getPath());
        }
        LinkedList<JacksonException.Reference> path = new LinkedList<>();
        for (TokenStreamContext context = parser.streamReadContext(); context != null && !context.inRoot();
                context = context.getParent()) {
            path.addFirst(context.inObject() ? new JacksonException.Reference(null, context.currentName())
                    : new JacksonException.Reference(null, Math.max(context.getCurrentIndex(), 0)));
        }
        return of(path);
    }

    public static String reason(DatabindException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "is not a known field";
        }
        if (e instanceof InvalidFormatException invalid) {
            return "cannot be " + describe(invalid.getValue()) + ": expected " + typeName(invalid.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            return "has the wrong type: expected " + typeName(mismatched.getTargetType());
        }
        return "is invalid: " + e.getOriginalMessage();
    }

    private static String describe(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "an array";
        }
        return "an object";
    }
}
