package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import dev.valley.model.event.JobEvent;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.TrainingListener;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/** What a running job may tell the platform (progress, throttled) and ask it (whether to stop). */
final class JobContext {
    private final UUID jobId;
    private final int attempt;
    private final String worker;
    private final EventReporter reporter;
    private final CancelRequests cancels;
    private final long progressIntervalNanos;
    private long lastProgress;
    private final BooleanSupplier handingBack;
    private final int checkpointEvery;
    private final Consumer<byte[]> checkpoints;
    private final Supplier<Optional<byte[]>> resume;
    private final java.util.function.DoubleConsumer throughput;

    /**
     * {@code checkpoints} stores a checkpoint's bytes; one is taken every {@code checkpointEvery} epochs (0: never).
     * {@code resume} finds the checkpoint an earlier attempt left; {@code handingBack} says the worker is stopping.
     */
    JobContext(UUID jobId, int attempt, String worker, EventReporter reporter, CancelRequests cancels,
            BooleanSupplier handingBack, Duration progressInterval, int checkpointEvery, Consumer<byte[]> checkpoints,
            Supplier<Optional<byte[]>> resume, java.util.function.DoubleConsumer throughput) {
        this.throughput = throughput;
        this.handingBack = handingBack;
        this.checkpointEvery = checkpointEvery;
        this.checkpoints = checkpoints;
        this.resume = resume;
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

    /**
     * The job's one listener: progress per step and per evaluation (throttled) and per epoch (always, with its
     * figures, counted over the job's epochs from those {@code resume} holds), checkpoints when due, and whether to
     * stop. A run reports its parts through {@link dev.valley.worker.science.train.Progress} slices of it.
     */
    TrainingListener trainingListener(Resume resume) {
        return new TrainingListener() {
            private int epochsDone = resume.epochsDone();

            @Override
            public void onStep(int epoch, int step, double done) {
                progress(done, null, false);
            }

            @Override
            public void onEvaluation(double done, String text) {
                progress(done, text, false);
            }

            @Override
            public void onEpoch(EpochRecord r) {
                onEpoch(null, r);
            }

            /** Always reported, with its figures, which the API keeps as the job's history. */
            @Override
            public void onEpoch(String part, EpochRecord r) {
                epochsDone++;
                figures(part, r.epoch(), r, (double) epochsDone / resume.epochs(), r.testAccuracy() == null
                        ? String.format("epoch %d: train loss %.4f, test loss %.4f", r.epoch(), r.trainLoss(),
                                r.testLoss())
                        : String.format("epoch %d: train loss %.4f, test accuracy %.4f", r.epoch(), r.trainLoss(),
                                r.testAccuracy()));
            }

            @Override
            public void onEpochFigures(String part, int epoch, Record figures, double done) {
                figures(part, epoch, figures, done, null);
            }

            private void figures(String part, int epoch, Record figures, double done, String message) {
                lastProgress = System.nanoTime();
                reporter.report(JobEvent.epoch(jobId, attempt, worker, Math.min(0.999, done), message,
                        new JobEvent.Epoch(part, epoch, JSON.valueToTree(figures))));
            }

            @Override
            public void onCheckpoint(int epoch, Supplier<Checkpoint> state) {
                checkpoint(epoch, state);
            }

            @Override
            public void onThroughput(double samplesPerSecond) {
                throughput.accept(samplesPerSecond);
            }

            @Override
            public boolean cancelRequested() {
                return shouldStop();
            }
        };
    }

    /** Stores the state after {@code epoch} when a checkpoint is due. */
    void checkpoint(int epoch, Supplier<Checkpoint> state) {
        if (checkpointEvery > 0 && epoch % checkpointEvery == 0) {
            checkpoints.accept(state.get().bytes());
        }
    }

    /** Whether the job should stop at this step: it was cancelled, or the worker is handing it back. */
    boolean shouldStop() {
        return cancels.isCancelled(jobId) || handingBack.getAsBoolean();
    }

    /**
     * Where an attempt starts: an earlier attempt's checkpoint, read once (null: none), the job's epochs in all, as its
     * run declares them, and how many of them the checkpoint holds.
     */
    record Resume(Checkpoint.Restored checkpoint, int epochs, int epochsDone) {
        static Resume afresh(int epochs) {
            return new Resume(null, epochs, 0);
        }
    }

    /**
     * The checkpoint an earlier attempt of this job stored last, announced as progress; {@code epochsDone} counts
     * the epochs of the job's {@code epochs} that it holds. One that cannot be read is reported and passed over, so
     * the attempt starts afresh rather than failing a job whose input is fine.
     */
    Resume resume(int epochs, ToIntFunction<Checkpoint.Restored> epochsDone) {
        Optional<byte[]> found = resume.get();
        if (found.isEmpty()) {
            return Resume.afresh(epochs);
        }
        Checkpoint.Restored restored;
        int done;
        try {
            restored = Checkpoint.read(found.get());
            done = epochsDone.applyAsInt(restored);
        } catch (RuntimeException e) {
            progress(0, "starting afresh: an earlier attempt's checkpoint cannot be read (" + e.getMessage() + ")",
                    true);
            return Resume.afresh(epochs);
        }
        progress((double) done / epochs, "resuming after epoch " + done + " of " + epochs
                + " from an earlier attempt's checkpoint", true);
        return new Resume(restored, epochs, done);
    }
}
