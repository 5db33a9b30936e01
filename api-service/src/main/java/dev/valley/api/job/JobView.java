package dev.valley.api.job;

import static dev.valley.model.Json.JSON;

import dev.valley.api.artifact.Artifact;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobStatus;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A job as the API shows it (names are part of API v1: lab tooling depends on them). {@code submittedBy}: the name of
 * the token entry that submitted it (null in the open mode, or a job of the service's own).
 */
public record JobView(
        UUID id,
        String type,
        @Nullable String name,
        JobStatus status,
        double progress,
        int attempt,
        String pool,
        boolean cancelRequested,
        @JobSpec.KeyedByType JobSpec spec,
        @Nullable JsonNode result,
        @Nullable String error,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        List<InputView> inputs,
        List<ArtifactView> artifacts,
        @Nullable TilesView tiles,
        @Nullable String worker,
        int maxAttempts,
        int priority,
        @Nullable List<Attempts.Ended> earlierAttempts,
        @Nullable String experiment,
        java.util.Map<String, String> tags,
        @Nullable String resultKey,
        boolean reused,
        @Nullable List<JobEpochs.EpochReport> history,
        @Nullable String submittedBy) {

    /** The view of a job that answered a submission in its place (its result reused). */
    JobView asReused() {
        return new JobView(id, type, name, status, progress, attempt, pool, cancelRequested, spec, result, error,
                createdAt, startedAt, finishedAt, inputs, artifacts, tiles, worker, maxAttempts, priority,
                earlierAttempts, experiment, tags, resultKey, true, history, submittedBy);
    }


    /** Weights the job reads from another job: the spec field that names them, the job and its artifact. */
    /** One input: a job's artifact ({@code job}, {@code artifact}) or uploaded weights ({@code model}). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record InputView(String field, UUID job, String artifact, UUID model) {
    }

    /** A grid's tiles (only on a single job's view): how many, how many stored, and by which worker. */
    public record TilesView(int total, int done, java.util.Map<String, Integer> byWorker) {
    }

    public record ArtifactView(String name, String contentType, long size, String sha256) {
    }

    static JobView of(Job job, List<JobInput> inputs, List<Artifact> artifacts) {
        return of(job, inputs, artifacts, null);
    }

    static JobView of(Job job, List<JobInput> inputs, List<Artifact> artifacts, TilesView tiles) {
        return of(job, inputs, artifacts, tiles, null);
    }

    /** {@code earlier}: the attempts that ended without ending the job (only on a single job's view). */
    static JobView of(Job job, List<JobInput> inputs, List<Artifact> artifacts, TilesView tiles,
            List<Attempts.Ended> earlier) {
        return of(job, inputs, artifacts, tiles, earlier, null);
    }

    /** {@code history}: each epoch's figures as reported while the job ran (only on a single job's view). */
    static JobView of(Job job, List<JobInput> inputs, List<Artifact> artifacts, TilesView tiles,
            List<Attempts.Ended> earlier, List<JobEpochs.EpochReport> history) {
        return new JobView(job.getId(), job.getType().wireName(), job.getName(), job.getStatus(), job.getProgress(),
                job.getAttempt(), job.getPool(), job.isCancelRequested(), job.spec(),
                job.getResult() == null ? null : JSON.readTree(job.getResult()), job.getError(), job.getCreatedAt(),
                job.getStartedAt(), job.getFinishedAt(),
                inputs.stream().map(i -> new InputView(i.getField(), i.getSourceJobId(),
                        i.getSourceModelId() == null ? i.getArtifact() : null, i.getSourceModelId())).toList(),
                artifacts.stream().map(a -> new ArtifactView(a.getName(), a.getContentType(), a.getSize(), a.getSha256()))
                        .toList(), tiles, job.getWorker(), job.getMaxAttempts(), job.getPriority(), earlier,
                job.getExperiment(), job.getTags(), job.getResultKey(), false, history, job.getSubmittedBy());
    }
}
