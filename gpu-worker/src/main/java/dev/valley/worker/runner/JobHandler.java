package dev.valley.worker.runner;

import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Runs the jobs of one type. Numerical work lives in the science packages; a handler wires it to a job. */
interface JobHandler {
    JobType type();

    Outcome run(DispatchMessage message, JobContext context);

    record Outcome(JsonNode result, List<Upload> uploads) {
    }

    record Upload(String name, String contentType, byte[] bytes) {
    }
}
