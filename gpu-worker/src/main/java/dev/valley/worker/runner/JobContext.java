package dev.valley.worker.runner;

import dev.valley.model.event.JobEvent;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.TrainingListener;
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
    private final int checkpointEvery;
    private final java.util.function.Consumer<byte[]> checkpoints;

    /** {@code checkpoints} stores a checkpoint's bytes; one is taken every {@code checkpointEvery} epochs (0: never). */
    JobContext(UUID jobId, int attempt, String worker, EventReporter reporter, CancelRequests cancels,
            Duration progressInterval, int checkpointEvery, java.util.function.Consumer<byte[]> checkpoints) {
        this.checkpointEvery = checkpointEvery;
        this.checkpoints = checkpoints;
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

    /** Progress per step (throttled) and per epoch (always, with its figures), and cancellation, for a training
     * loop of {@code epochs} epochs in all. */
    TrainingListener trainingListener(int epochs) {
        return new TrainingListener() {
            private int epochsDone;

            @Override
            public void onStep(int epoch, int step, double done) {
                progress(done, null, false);
            }

            @Override
            public void onEpoch(EpochRecord r) {
                epochsDone++;
                progress((double) epochsDone / epochs, String.format("epoch %d: train loss %.4f, test accuracy %.4f",
                        r.epoch(), r.trainLoss(), r.testAccuracy()), true);
            }

            @Override
            public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                checkpoint(epoch, state);
            }

            @Override
            public boolean cancelRequested() {
                return JobContext.this.cancelRequested();
            }
        };
    }

    /** Stores the state after {@code epoch} when a checkpoint is due. */
    void checkpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
        if (checkpointEvery > 0 && epoch % checkpointEvery == 0) {
            checkpoints.accept(state.get().bytes());
        }
    }

    boolean cancelRequested() {
        return cancels.isCancelled(jobId);
    }
}
