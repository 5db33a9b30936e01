package dev.valley.api.model;

import dev.valley.model.job.ModelSpec;
import java.time.Instant;
import java.util.UUID;

/**
 * Weights uploaded through the API: the architecture and dataset they are for, and the stored file. A job names
 * them with {@code {"model": "<id>"}} wherever it could name a job's weights.
 */
public record UploadedModel(UUID id, String name, ModelSpec model, String dataset, String key, long size,
        String sha256, Instant createdAt) {
}
