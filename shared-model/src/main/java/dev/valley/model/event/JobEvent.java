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
        Integer tile) {

    /** {@code TILE_DONE}: one tile of a grid is stored ({@code tile} its index, its object the one artifact). */
    public enum Kind { STARTED, PROGRESS, HEARTBEAT, FINISHED, FAILED, CANCELLED, TILE_DONE }

    public JobEvent(UUID jobId, int attempt, Kind kind, Instant at, String worker, Double progress, String message,
            JsonNode result, List<ArtifactInfo> artifacts, String error) {
        this(jobId, attempt, kind, at, worker, progress, message, result, artifacts, error, null);
    }

    public static JobEvent tileDone(UUID jobId, int attempt, String worker, int tile, ArtifactInfo stored) {
        return new JobEvent(jobId, attempt, Kind.TILE_DONE, Instant.now(), worker, null, null, null, List.of(stored),
                null, tile);
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

    public static JobEvent cancelled(UUID jobId, int attempt, String worker) {
        return new JobEvent(jobId, attempt, Kind.CANCELLED, Instant.now(), worker, null, null, null, List.of(), null);
    }
}
