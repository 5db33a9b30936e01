package dev.valley.model;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mappers Valley's own code reads and writes with (Spring MVC keeps its own): {@link #JSON} for what Valley
 * wrote itself (messages, rows, checkpoints, artifacts), {@link #STRICT} for what a client sends.
 */
public final class Json {
    /** Jackson's defaults. Thread-safe, like every configured mapper. */
    public static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * For a client's specs: an unknown field, a float where an integer belongs, a string or boolean where a number
     * belongs, an empty string, and null for a primitive are each an error, not a silent coercion.
     */
    public static final JsonMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .withCoercionConfigDefaults(c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
            .build();

    private Json() {
    }
}
