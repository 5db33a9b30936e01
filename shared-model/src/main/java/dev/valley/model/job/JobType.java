package dev.valley.model.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of work Valley runs; each names the spec record a job of that kind carries. */
public enum JobType {
    TRAIN("train", TrainSpec.class),
    CURVE("curve", CurveSpec.class),
    SWA("swa", SwaSpec.class),
    FGE("fge", FgeSpec.class),
    GRID("grid", GridSpec.class);

    private final String wireName;
    private final Class<? extends JobSpec> specType;

    JobType(String wireName, Class<? extends JobSpec> specType) {
        this.wireName = wireName;
        this.specType = specType;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    public Class<? extends JobSpec> specType() {
        return specType;
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
}
