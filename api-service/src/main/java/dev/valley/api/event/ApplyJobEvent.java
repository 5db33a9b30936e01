package dev.valley.api.event;

import dev.valley.api.artifact.Artifact;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.dispatch.Outbox;
import dev.valley.api.job.Attempts;
import dev.valley.api.job.Dispatches;
import dev.valley.api.job.Job;
import dev.valley.api.job.JobEnds;
import dev.valley.api.job.JobRepository;
import dev.valley.api.job.Leases;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies a worker's event to its job. Each change is conditional on the attempt and the current state, so events
 * of a superseded attempt, duplicates and events after a final state change nothing. A STARTED takes the lease on
 * its unit (the job, or one grid tile) and heartbeats renew it.
 */
@Component
class ApplyJobEvent {
    private static final Logger log = LoggerFactory.getLogger(ApplyJobEvent.class);

    private final JobRepository jobs;
    private final ArtifactRepository artifacts;
    private final Outbox control;
    private final JobEnds ends;
    private final Dispatches dispatches;
    private final Leases leases;
    private final Attempts attempts;

    ApplyJobEvent(JobRepository jobs, ArtifactRepository artifacts, Outbox control, JobEnds ends,
            Dispatches dispatches, Leases leases, Attempts attempts) {
        this.dispatches = dispatches;
        this.ends = ends;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.control = control;
        this.leases = leases;
        this.attempts = attempts;
    }

    @Transactional
    void apply(JobEvent event) {
        Instant at = event.at() == null ? Instant.now() : event.at();
        int unit = Leases.unit(event.tile());
        switch (event.kind()) {
            case STARTED -> started(event, unit, at);
            case PROGRESS, HEARTBEAT -> {
                if (jobs.recordProgress(event.jobId(), event.attempt(), event.progress(), at) == 1) {
                    leases.renew(event.jobId(), unit, event.attempt(), at);
                }
                stopIfUnwanted(event);
            }
            case TILE_DONE -> {
                dispatches.onTileDone(event, at);
                leases.release(event.jobId(), unit);
            }
            case FINISHED -> ended(event, finish(event, at));
            case FAILED -> ended(event, jobs.markEnded(event.jobId(), event.attempt(), JobStatus.FAILED, event.error(),
                    at));
            case CANCELLED -> ended(event, jobs.markEnded(event.jobId(), event.attempt(), JobStatus.CANCELLED, null,
                    at));
            case INTERRUPTED -> attempts.end(event.jobId(), event.attempt(), event.worker(),
                    Attempts.Outcome.INTERRUPTED, event.error(), at);
            case RELEASED -> attempts.end(event.jobId(), event.attempt(), event.worker(), Attempts.Outcome.RELEASED,
                    event.message(), at);
        }
    }

    /**
     * The job's row is locked, so a lease cannot be taken while the lease monitor retries the job. A start of an
     * attempt that is not the job's current one is told to stop, except a grid tile's: its values count whichever
     * attempt computes them.
     */
    private void started(JobEvent event, int unit, Instant at) {
        Job job = jobs.findForUpdate(event.jobId()).orElse(null);
        if (job == null) {
            return;
        }
        boolean current = job.getAttempt() == event.attempt() && !job.getStatus().isFinal();
        if (!current) {
            if (event.tile() == null || job.getStatus().isFinal()) {
                log.info("job {}: attempt {} started on {}, but the job is {} at attempt {}; told to stop",
                        event.jobId(), event.attempt(), event.worker(), job.getStatus(), job.getAttempt());
                control.cancel(event.jobId(), event.attempt());
            }
            return;
        }
        jobs.markRunning(event.jobId(), event.attempt(), event.worker(), at);
        leases.take(event.jobId(), unit, event.attempt(), event.worker(), at);
        if (job.isCancelRequested()) {
            control.cancel(event.jobId(), event.attempt());
        }
    }

    /** The answer to a worker that runs a job which should stop: cancelled since, or (a grid's tile) ended. */
    private void stopIfUnwanted(JobEvent event) {
        jobs.findById(event.jobId())
                .filter(job -> job.getAttempt() == event.attempt()
                        && (job.isCancelRequested() || job.getStatus().isFinal()))
                .ifPresent(job -> control.cancel(event.jobId(), event.attempt()));
    }

    private void ended(JobEvent event, int changed) {
        if (changed == 0) {
            log.debug("ignored {} of job {} attempt {}: not the job's current state", event.kind(), event.jobId(),
                    event.attempt());
            return;
        }
        ends.ended(event.jobId());
    }

    private int finish(JobEvent event, Instant at) {
        int changed = jobs.markSucceeded(event.jobId(), event.attempt(),
                event.result() == null ? null : event.result().toString(), at);
        if (changed == 1) {
            for (ArtifactInfo a : event.artifacts()) {
                artifacts.save(new Artifact(event.jobId(), a.name(), event.attempt(), a.contentType(), a.size(),
                        a.sha256(), a.key(), at));
            }
        }
        return changed;
    }
}
