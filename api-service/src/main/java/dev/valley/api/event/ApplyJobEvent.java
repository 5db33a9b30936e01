package dev.valley.api.event;

import dev.valley.api.artifact.Artifact;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.job.Dependents;
import dev.valley.api.job.Dispatches;
import dev.valley.api.job.Job;
import dev.valley.api.job.JobRepository;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Applies a worker's event to its job. Each change is conditional on the attempt and the current state, so events
 * of a superseded attempt, duplicates and events after a final state change nothing.
 */
@Component
class ApplyJobEvent {
    private static final Logger log = LoggerFactory.getLogger(ApplyJobEvent.class);

    private final JobRepository jobs;
    private final ArtifactRepository artifacts;
    private final ControlPublisher control;
    private final Dependents dependents;
    private final Dispatches dispatches;

    ApplyJobEvent(JobRepository jobs, ArtifactRepository artifacts, ControlPublisher control, Dependents dependents,
            Dispatches dispatches) {
        this.dispatches = dispatches;
        this.dependents = dependents;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.control = control;
    }

    @Transactional
    void apply(JobEvent event) {
        Instant at = event.at() == null ? Instant.now() : event.at();
        int changed = switch (event.kind()) {
            case STARTED -> jobs.markRunning(event.jobId(), event.attempt(), event.worker(), at);
            case PROGRESS, HEARTBEAT -> jobs.recordProgress(event.jobId(), event.attempt(), event.progress(), at);
            case FINISHED -> finish(event, at);
            case FAILED -> jobs.markEnded(event.jobId(), event.attempt(), JobStatus.FAILED, event.error(), at);
            case CANCELLED -> jobs.markEnded(event.jobId(), event.attempt(), JobStatus.CANCELLED, null, at);
            case TILE_DONE -> {
                dispatches.onTileDone(event, at);
                yield 1;
            }
        };
        boolean ended = event.kind() == JobEvent.Kind.FINISHED || event.kind() == JobEvent.Kind.FAILED
                || event.kind() == JobEvent.Kind.CANCELLED;
        if (ended && changed == 1) {
            dependents.onEnded(event.jobId());
        }
        if (changed == 0) {
            log.debug("ignored {} of job {} attempt {}: not the job's current state", event.kind(), event.jobId(),
                    event.attempt());
        }
        if (event.kind() == JobEvent.Kind.STARTED || event.kind() == JobEvent.Kind.HEARTBEAT
                || event.kind() == JobEvent.Kind.PROGRESS) {
            // The answer to a worker that runs a job which should stop: cancelled while queued or since, or, for a
            // grid's tile, a job that has already ended (another tile failed).
            Optional<Job> job = jobs.findById(event.jobId());
            if (job.isPresent() && job.get().getAttempt() == event.attempt()
                    && (job.get().isCancelRequested() || job.get().getStatus().isFinal())) {
                control.cancel(event.jobId());
            }
        }
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
