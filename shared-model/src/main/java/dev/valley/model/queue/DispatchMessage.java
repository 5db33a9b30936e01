package dev.valley.model.queue;

import dev.valley.model.job.JobType;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** One attempt at one job, with its full spec (defaults filled in), so that a worker needs no database. */
public record DispatchMessage(UUID jobId, int attempt, JobType type, JsonNode spec) {
}
