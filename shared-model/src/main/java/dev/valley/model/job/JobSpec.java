package dev.valley.model.job;

/**
 * What a job of some type is asked to do. A spec as submitted may leave fields out; {@link #withDefaults()}
 * fills every one of them, and the filled spec is what gets validated, stored and run.
 */
public interface JobSpec {
    JobSpec withDefaults();

    /** The weights this job reads from other jobs, by the spec field that names them ("endpoints[0]"), in order. */
    default java.util.Map<String, ModelRef> modelRefs() {
        return java.util.Map.of();
    }

    /** The spec with what its input networks imply filled in: their architecture, and their dataset where the spec
     * names none. Only for specs with {@link #modelRefs()}. */
    default JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return this;
    }

    /** Whether the field names a curve job's bends ({@code curve.safetensors}) rather than one network. */
    default boolean takesCurve(String field) {
        return false;
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
