package dev.valley.api.job;

import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The body of POST /api/v1/jobs; the spec is read per type by {@link JobSpecs}. {@code resources} is optional: its
 * {@code pool} names the worker pool that runs the job (the default pool when absent); {@code maxAttempts} how many
 * attempts it may lose to a worker or the platform before it fails ({@code valley.dispatch.max-attempts} when absent);
 * {@code priority} 0 to 9 (default 4): within a pool, higher-priority dispatches are handed out first.
 * {@code experiment} files the job under a name, {@code tags} label it; both are optional and filter the job list.
 * {@code reuse}: answer with a SUCCEEDED job that computed the same ({@link ResultKey}) instead of running again.
 */
public record SubmitJobRequest(String type, String name, JsonNode spec, Resources resources, String experiment,
        Map<String, String> tags, Boolean reuse) {

    public SubmitJobRequest(String type, String name, JsonNode spec) {
        this(type, name, spec, null);
    }

    public SubmitJobRequest(String type, String name, JsonNode spec, Resources resources) {
        this(type, name, spec, resources, null, null, null);
    }

    /** What a job asks of the workers that may run it: a pool, how many attempts, and a priority (0–9). */
    public record Resources(String pool, Integer maxAttempts, Integer priority) {
        public Resources(String pool) {
            this(pool, null, null);
        }

        public Resources(String pool, Integer maxAttempts) {
            this(pool, maxAttempts, null);
        }
    }
}
