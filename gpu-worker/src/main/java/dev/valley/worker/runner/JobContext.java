package dev.valley.worker.runner;

import dev.valley.model.event.JobEvent;
import java.time.Duration;
import java.util.UUID;

/** What a running job may tell the platform (progress, throttled) and ask it (whether to stop). */
final class JobContext {
    private final UUID jobId;
    private final int attempt;
    private final String worker;
    private final EventReporter reporter;
    private final CancelRequests cancels;
    private final long progressIntervalNanos;
    private long lastProgress;

    JobContext(UUID jobId, int attempt, String worker, EventReporter reporter, CancelRequests cancels,
            Duration progressInterval) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.worker = worker;
        this.reporter = reporter;
        this.cancels = cancels;
        this.progressIntervalNanos = progressInterval.toNanos();
        this.lastProgress = System.nanoTime();
    }

    /** Sends at most one progress event per interval, unless {@code force}. */
    void progress(double done, String message, boolean force) {
        long now = System.nanoTime();
        if (force || now - lastProgress >= progressIntervalNanos) {
            lastProgress = now;
            reporter.report(JobEvent.progress(jobId, attempt, worker, Math.min(done, 0.999), message));
        }
    }

    boolean cancelRequested() {
        return cancels.isCancelled(jobId);
    }
}
