package dev.valley.model.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of work Valley runs; each names the spec record a job of that kind carries, and its result. */
public enum JobType {
    TRAIN("train", TrainSpec.class, TrainResult.class),
    CURVE("curve", CurveSpec.class, CurveResult.class),
    SWA("swa", SwaSpec.class, SwaResult.class),
    FGE("fge", FgeSpec.class, FgeResult.class),
    GRID("grid", GridSpec.class, GridResult.class),
    ALIGN("align", AlignSpec.class, AlignResult.class),
    COMPARE("compare", CompareSpec.class, CompareResult.class),
    SIMPLEX("simplex", SimplexSpec.class, SimplexResult.class),
    HESSIAN("hessian", HessianSpec.class, HessianResult.class),
    /** Made by a TorchScript upload, never submitted: see {@link InspectSpec}. */
    INSPECT("inspect", InspectSpec.class, InspectResult.class);

    private final String wireName;
    private final Class<? extends JobSpec> specType;
    private final Class<? extends Record> resultType;

    JobType(String wireName, Class<? extends JobSpec> specType, Class<? extends Record> resultType) {
        this.wireName = wireName;
        this.specType = specType;
        this.resultType = resultType;
    }

    public Class<? extends Record> resultType() {
        return resultType;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public Class<? extends JobSpec> specType() {
        return specType;
    }

    /** The type whose spec record {@code spec} is. */
    public static JobType of(JobSpec spec) {
        return Arrays.stream(values()).filter(t -> t.specType == spec.getClass()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(spec.getClass() + " is no job type's spec"));
    }

    public static Optional<JobType> fromWireName(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    @JsonCreator
    static JobType parse(String name) {
        return fromWireName(name).orElseThrow(() -> new IllegalArgumentException(
                "unknown job type '" + name + "'; known: " + knownNames()));
    }

    public static String knownNames() {
        return Arrays.stream(values()).map(JobType::wireName).collect(Collectors.joining(", "));
    }

    /** Whether a client may submit jobs of this type (an inspection is made by its upload). */
    public boolean isSubmittable() {
        return this != INSPECT;
    }

    /** The wire names of the types a client may submit. */
    public static String submittableNames() {
        return Arrays.stream(values()).filter(JobType::isSubmittable).map(JobType::wireName)
                .collect(Collectors.joining(", "));
    }
}
