package dev.valley.model.queue;

import dev.valley.model.job.GridTile;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.job.ModelSpec;
import java.util.List;
import java.util.UUID;

/**
 * One attempt at one job, with its full spec (defaults filled in) and every input artifact resolved to its object
 * key, checksum and architecture, so that a worker needs no database. A grid is dispatched as one message per
 * {@code tile}, then, once every tile is stored, once more without a tile to assemble them: its inputs then
 * include each tile's object as {@code tiles[i]}.
 */
public record DispatchMessage(UUID jobId, int attempt, JobType type, @JobSpec.KeyedByType JobSpec spec,
        List<Input> inputs, GridTile tile) {

    /** The spec must be {@code type}'s; its defaults are filled in again, for a message queued before a field was. */
    public DispatchMessage {
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        if (type == null || spec == null || spec.jobType() != type) {
            throw new IllegalArgumentException("a " + type + " job's dispatch needs its spec, not "
                    + (spec == null ? "none" : "a " + spec.getClass().getSimpleName()));
        }
        spec = spec.withDefaults();
    }

    /** The spec as its type's record, every default filled in; {@code specType} must be this job type's. */
    public <S extends JobSpec> S spec(Class<S> specType) {
        if (specType != type.specType()) {
            throw new IllegalArgumentException("a " + type.wireName() + " job's spec is a "
                    + type.specType().getSimpleName() + ", not a " + specType.getSimpleName());
        }
        return specType.cast(spec);
    }

    /**
     * An artifact another job produced. {@code field} is the spec field that named it ("endpoints[1]");
     * {@code model} and {@code dataset} say which network the weights are for.
     */
    public record Input(String field, UUID job, String name, String key, String sha256, long size,
            ModelSpec model, String dataset) {
    }

    /** The field under which the assembly of a grid finds tile {@code index}. */
    public static String tileField(int index) {
        return "tiles[" + index + "]";
    }

    public Input input(String field) {
        return inputs.stream().filter(i -> i.field().equals(field)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("dispatch of job " + jobId + " has no input " + field));
    }
}
