package dev.valley.model.job;

import dev.valley.model.artifact.ArtifactKeys;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import java.util.UUID;

/**
 * Weights another job produced: {@code {"job": id}} is that job's {@code model.safetensors};
 * {@code {"job": id, "artifact": name}} names another of its safetensors artifacts.
 */
public record ModelRef(@NotNull UUID job, String artifact) {

    public ModelRef withDefaults() {
        return withDefaults(ArtifactKeys.MODEL);
    }

    /** With {@code defaultArtifact} where no artifact is named. */
    public ModelRef withDefaults(String defaultArtifact) {
        return new ModelRef(job, artifact == null ? defaultArtifact : artifact);
    }

    @AssertTrue(message = "must be the name of a .safetensors artifact of that job")
    boolean isArtifactValid() {
        return artifact == null || (ArtifactKeys.isValidName(artifact) && artifact.endsWith(".safetensors"));
    }
}
