package dev.valley.model.job;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a spec's field means, for the people and the generated clients and forms that read the API's OpenAPI document
 * (the api-service puts it there); its range and default come from the field's constraints and the spec's defaults.
 * On a composed constraint ({@link Sgd.BatchSize}), it describes every field that wears the constraint and no
 * description of its own.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD,
        ElementType.ANNOTATION_TYPE})
public @interface Description {
    String value();
}
