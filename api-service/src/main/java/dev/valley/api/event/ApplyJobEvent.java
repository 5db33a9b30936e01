package dev.valley.api.event;

import dev.valley.api.job.Attempts;
import dev.valley.api.job.JobLifecycle;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.time.Instant;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Applies a worker's event to its job, in one transaction: each kind is a transition of {@link JobLifecycle}. */
@Component
class ApplyJobEvent {
    private final JobLifecycle lifecycle;

    ApplyJobEvent(JobLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Transactional
    void apply(JobEvent event) {
        Instant at = event.at() == null ? Instant.now() : event.at();
        switch (event.kind()) {
            case STARTED -> lifecycle.started(event, at);
            case PROGRESS, HEARTBEAT -> lifecycle.progressed(event, at);
            case TILE_DONE -> lifecycle.tileDone(event, at);
            case FINISHED -> lifecycle.finished(event, at);
            case FAILED -> lifecycle.endedByWorker(event, JobStatus.FAILED, at);
            case CANCELLED -> lifecycle.endedByWorker(event, JobStatus.CANCELLED, at);
            case INTERRUPTED -> lifecycle.attemptEnded(event.jobId(), event.attempt(), event.worker(),
                    Attempts.Outcome.INTERRUPTED, event.error(), at);
            case RELEASED -> lifecycle.attemptEnded(event.jobId(), event.attempt(), event.worker(),
                    Attempts.Outcome.RELEASED, event.message(), at);
        }
    }
}
