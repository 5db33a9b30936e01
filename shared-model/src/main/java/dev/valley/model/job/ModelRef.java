package dev.valley.model.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.valley.model.artifact.ArtifactKeys;
import jakarta.validation.constraints.AssertTrue;
import java.util.UUID;

/**
 * Weights a job reads: {@code {"job": id}} is that job's {@code model.safetensors};
 * {@code {"job": id, "artifact": name}} names another of its safetensors artifacts; {@code {"model": id}} names
 * weights uploaded with {@code POST /api/v1/models}.
 */
public record ModelRef(
@Description("a job whose artifact this names")
UUID job,
 @Description("the job's artifact (default its network: model.safetensors, or the curve's curve.safetensors)")
 String artifact,
 @Description("uploaded weights (POST /api/v1/models), instead of a job")
 UUID model) {

    public ModelRef(UUID job, String artifact) {
        this(job, artifact, null);
    }

    public static ModelRef uploaded(UUID model) {
        return new ModelRef(null, null, model);
    }

    @JsonIgnore
    public boolean isUploaded() {
        return model != null;
    }

    public ModelRef withDefaults() {
        return withDefaults(ArtifactKeys.MODEL);
    }

    /** Each ref of a spec's list with its defaults; a null list or entry stays null, for validation to name. */
    public static java.util.List<ModelRef> withDefaults(java.util.List<ModelRef> refs) {
        return refs == null ? null : refs.stream().map(r -> r == null ? null : r.withDefaults()).toList();
    }

    /** With {@code defaultArtifact} where a job's ref names no artifact. */
    public ModelRef withDefaults(String defaultArtifact) {
        return model != null ? this : new ModelRef(job, artifact == null ? defaultArtifact : artifact, null);
    }

    @AssertTrue(message = "give either job (another job's weights) or model (uploaded weights), not both")
    boolean isRefSourceGiven() {
        return (job == null) != (model == null);
    }

    @AssertTrue(message = "must be the name of a .safetensors artifact of that job; uploaded weights have none")
    boolean isArtifactValid() {
        return artifact == null || (model == null && ArtifactKeys.isValidName(artifact)
                && artifact.endsWith(".safetensors"));
    }
}
