package dev.valley.model.job;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonSubTypes.Type;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a job of some type is asked to do. A spec as submitted may leave fields out; {@link #withDefaults()}
 * fills every one of them, and the filled spec is what gets validated, stored and run.
 *
 * <p>A spec travels beside its job type, never with the type inside it: {@code {"type": "curve", "spec": {...}}}
 * in the API, in a dispatch message and in a job's row. A field of this type wears {@link KeyedByType}, which tells
 * Jackson to read the sibling {@code type} and bind the spec to that type's record; the names below are
 * {@link JobType}'s wire names.
 */
@JsonSubTypes({
        @Type(value = TrainSpec.class, name = "train"),
        @Type(value = CurveSpec.class, name = "curve"),
        @Type(value = SwaSpec.class, name = "swa"),
        @Type(value = FgeSpec.class, name = "fge"),
        @Type(value = GridSpec.class, name = "grid"),
        @Type(value = AlignSpec.class, name = "align"),
        @Type(value = CompareSpec.class, name = "compare"),
        @Type(value = SimplexSpec.class, name = "simplex"),
        @Type(value = HessianSpec.class, name = "hessian"),
        @Type(value = InspectSpec.class, name = "inspect")})
public interface JobSpec {
    JobSpec withDefaults();

    /** The job type whose spec this is. */
    default JobType jobType() {
        return JobType.of(this);
    }

    /**
     * On a {@code JobSpec} field of a record that also has a {@code type} field: the spec's record is the one that
     * {@code type} names.
     */
    @Target({java.lang.annotation.ElementType.FIELD, java.lang.annotation.ElementType.PARAMETER,
            java.lang.annotation.ElementType.METHOD, java.lang.annotation.ElementType.RECORD_COMPONENT})
    @Retention(RetentionPolicy.RUNTIME)
    @com.fasterxml.jackson.annotation.JacksonAnnotationsInside
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXTERNAL_PROPERTY, property = "type",
            visible = true)
    @interface KeyedByType {
    }

    /** The weights this job reads from other jobs, by the spec field that names them ("endpoints[0]"), in order. */
    default java.util.Map<String, ModelRef> modelRefs() {
        return java.util.Map.of();
    }

    /** The spec with what its input networks imply filled in: their architecture, and their dataset where the spec
     * names none. Only for specs with {@link #modelRefs()}. */
    default JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return this;
    }

    /**
     * The job type whose artifact of several networks the field names ({@link JobType#CURVE}: a curve's bends in
     * {@code curve.safetensors}; {@link JobType#SIMPLEX}: a simplex's vertices), or null for one network.
     */
    default JobType takesJob(String field) {
        return null;
    }

    /** The dataset the spec names, or null; for jobs with inputs it must be the inputs' dataset. */
    default String dataset() {
        return null;
    }

    /** The architecture the spec names, or null (a job whose inputs imply it). */
    default ModelSpec model() {
        return null;
    }
}
