package dev.valley.worker.runner;

import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Runs the jobs of one type. Numerical work lives in the science packages; a handler wires it to a job. */
interface JobHandler {
    JobType type();

    Outcome run(DispatchMessage message, JobContext context);

    /** A finished job's result and artifacts; for a grid's tile, {@code tile} is its index and the one upload its
     * values. */
    record Outcome(JsonNode result, List<Upload> uploads, Integer tile) {
        Outcome(JsonNode result, List<Upload> uploads) {
            this(result, uploads, null);
        }

        static Outcome tile(int index, byte[] json) {
            return new Outcome(null, List.of(new Upload("tile-" + index + ".json", "application/json", json)), index);
        }
    }

    record Upload(String name, String contentType, byte[] bytes) {
        /** Files by name, each typed by its extension (.png, .gif, .json, else bytes). */
        static List<Upload> of(java.util.Map<String, byte[]> files) {
            return files.entrySet().stream().map(e -> new Upload(e.getKey(), contentType(e.getKey()), e.getValue()))
                    .toList();
        }

        static String contentType(String name) {
            return name.endsWith(".png") ? "image/png" : name.endsWith(".gif") ? "image/gif"
                    : name.endsWith(".json") ? "application/json" : "application/octet-stream";
        }
    }
}
