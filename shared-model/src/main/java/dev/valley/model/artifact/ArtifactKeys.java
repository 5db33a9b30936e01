package dev.valley.model.artifact;

import java.util.UUID;
import java.util.regex.Pattern;

/** Deterministic object keys: an attempt writes only under its own prefix, so a retry never overwrites. */
public final class ArtifactKeys {
    public static final String MODEL = "model.safetensors";
    /** A TorchScript module with the job's weights in it, for {@code torch.jit.load}. */
    public static final String MODULE = "model.pt";
    /** A training job's latest state, overwritten as it goes (for resume); not listed among the job's artifacts. */
    public static final String CHECKPOINT = "checkpoint.safetensors";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private ArtifactKeys() {
    }

    /** A grid tile's values. Not under an attempt: a tile's values depend only on the spec, so a later attempt
     * finds the tiles an earlier one stored and computes only the rest. */
    public static String tile(UUID jobId, int index) {
        return "jobs/" + jobId + "/tiles/tile-" + index + ".json";
    }

    public static String of(UUID jobId, int attempt, String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid artifact name: " + name);
        }
        return "jobs/" + jobId + "/attempt-" + attempt + "/" + name;
    }

    /** Names are single path segments; nothing like {@code ../} can reach outside the job. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }
}
