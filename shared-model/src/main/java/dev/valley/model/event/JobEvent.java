package dev.valley.model.event;

import dev.valley.model.artifact.ArtifactInfo;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * What a worker reports about one attempt. The attempt number fences: the api-service ignores events of an
 * attempt that is no longer the job's current one.
 */
public record JobEvent(
        UUID jobId,
        int attempt,
        Kind kind,
        Instant at,
        String worker,
        Double progress,
        String message,
        JsonNode result,
        List<ArtifactInfo> artifacts,
        String error,
        Integer tile,
        Epoch epoch) {

    /**
     * One epoch's figures as the run reports them, on a PROGRESS event: {@code series} names the run within the job
     * ("train", "curve", "sgd", "swa", "fge"), {@code figures} is its epoch record (epoch, lr, losses, accuracies,
     * seconds), so the API can keep a job's history while it runs.
     */
    public record Epoch(String series, int epoch, JsonNode figures) {
    }

    /**
     * {@code TILE_DONE}: one tile of a grid is stored ({@code tile} its index, its object the one artifact).
     * {@code FAILED}: the job's own input made it fail (bad data, divergence); it is not tried again.
     * {@code INTERRUPTED}: the attempt ended for a reason outside the job (storage or broker unreachable, device
     * memory); the api-service dispatches a new attempt after a backoff, up to the job's most attempts.
     * {@code RELEASED}: a stopping worker handed the attempt back; a new attempt resumes from its checkpoint at once.
     */
    public enum Kind { STARTED, PROGRESS, HEARTBEAT, FINISHED, FAILED, CANCELLED, TILE_DONE, INTERRUPTED, RELEASED }

    /** Whether this event ends the attempt that sent it. */
    public boolean endsAttempt() {
        return switch (kind) {
            case FINISHED, FAILED, CANCELLED, INTERRUPTED, RELEASED -> true;
            default -> false;
        };
    }

    public JobEvent(UUID jobId, int attempt, Kind kind, Instant at, String worker, Double progress, String message,
            JsonNode result, List<ArtifactInfo> artifacts, String error) {
        this(jobId, attempt, kind, at, worker, progress, message, result, artifacts, error, null, null);
    }

    public static JobEvent tileDone(UUID jobId, int attempt, String worker, int tile, ArtifactInfo stored) {
        return new JobEvent(jobId, attempt, Kind.TILE_DONE, Instant.now(), worker, null, null, null, List.of(stored),
                null, tile, null);
    }

    public static JobEvent started(UUID jobId, int attempt, String worker, String device) {
        return new JobEvent(jobId, attempt, Kind.STARTED, Instant.now(), worker, 0.0, "on " + device, null, List.of(), null);
    }

    public static JobEvent progress(UUID jobId, int attempt, String worker, double progress, String message) {
        return new JobEvent(jobId, attempt, Kind.PROGRESS, Instant.now(), worker, progress, message, null, List.of(), null);
    }

    public static JobEvent heartbeat(UUID jobId, int attempt, String worker) {
        return new JobEvent(jobId, attempt, Kind.HEARTBEAT, Instant.now(), worker, null, null, null, List.of(), null);
    }

    public static JobEvent finished(UUID jobId, int attempt, String worker, JsonNode result, List<ArtifactInfo> artifacts) {
        return new JobEvent(jobId, attempt, Kind.FINISHED, Instant.now(), worker, 1.0, null, result, List.copyOf(artifacts), null);
    }

    public static JobEvent failed(UUID jobId, int attempt, String worker, String error) {
        return new JobEvent(jobId, attempt, Kind.FAILED, Instant.now(), worker, null, null, null, List.of(), error);
    }

    public static JobEvent interrupted(UUID jobId, int attempt, String worker, String error) {
        return new JobEvent(jobId, attempt, Kind.INTERRUPTED, Instant.now(), worker, null, null, null, List.of(), error);
    }

    public static JobEvent released(UUID jobId, int attempt, String worker, String message) {
        return new JobEvent(jobId, attempt, Kind.RELEASED, Instant.now(), worker, null, message, null, List.of(), null);
    }

    /** This event as about grid tile {@code tile} (a tile's STARTED and HEARTBEAT carry it). */
    public JobEvent forTile(Integer tile) {
        return new JobEvent(jobId, attempt, kind, at, worker, progress, message, result, artifacts, error, tile, epoch);
    }

    /** Progress at the end of an epoch, with its figures. */
    public static JobEvent epoch(UUID jobId, int attempt, String worker, double progress, String message,
            Epoch epoch) {
        return new JobEvent(jobId, attempt, Kind.PROGRESS, Instant.now(), worker, progress, message, null, List.of(),
                null, null, epoch);
    }

    public static JobEvent cancelled(UUID jobId, int attempt, String worker) {
        return new JobEvent(jobId, attempt, Kind.CANCELLED, Instant.now(), worker, null, null, null, List.of(), null);
    }
}
