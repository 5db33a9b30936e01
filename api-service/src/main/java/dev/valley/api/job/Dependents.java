package dev.valley.api.job;

import dev.valley.model.job.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * When a job ends, the jobs waiting for it move on: queued (with their dispatch) once all their inputs succeeded,
 * failed with the reason when one did not, and so on down the chain. Runs in the transaction that ended the job.
 */
@Component
public class Dependents {
    private static final Logger log = LoggerFactory.getLogger(Dependents.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JobRepository jobs;
    private final JobInputRepository inputs;
    private final JobInputs jobInputs;
    private final Dispatches dispatches;

    Dependents(JobRepository jobs, JobInputRepository inputs, JobInputs jobInputs, Dispatches dispatches) {
        this.jobs = jobs;
        this.inputs = inputs;
        this.jobInputs = jobInputs;
        this.dispatches = dispatches;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    public void onEnded(UUID source) {
        for (UUID id : inputs.findWaitingDependents(source)) {
            Job job = jobs.findForUpdate(id).orElseThrow();
            if (job.getStatus() != JobStatus.WAITING) {
                continue;
            }
            List<JobInput> rows = inputs.findByJobIdOrderByField(id);
            JobInputs.Decision decision = jobInputs.decide(rows);
            if (decision.status() == JobStatus.QUEUED && jobs.release(id) == 1) {
                dispatches.dispatch(job, JSON.readTree(job.getSpec()), jobInputs.resolve(rows));
                log.info("job {} queued: its inputs are ready", id);
            } else if (decision.status() == JobStatus.FAILED
                    && jobs.failWaiting(id, decision.reason(), Instant.now()) == 1) {
                log.info("job {} failed before running: {}", id, decision.reason());
                onEnded(id);
            }
        }
    }
}
