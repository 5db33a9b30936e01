package dev.valley.api.job;

import tools.jackson.databind.JsonNode;

/** The body of POST /api/v1/jobs; the spec is read per type by {@link JobSpecs}. */
public record SubmitJobRequest(String type, String name, JsonNode spec) {
}
