package dev.valley.worker.science.bench;

import static dev.valley.model.Json.JSON;

import dev.valley.model.event.JobEvent;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What the worker's listener (JobContext) costs a training run, without a broker or a store: a progress event
 * serialised at most once a second, every epoch's event with its figures, and a checkpoint after every epoch whose
 * bytes are written to a file (where the worker hands them to the upload). Times the checkpoints.
 */
final class JobPathListener implements TrainingListener {
    private static final long PROGRESS_INTERVAL = 1_000_000_000L;
    private final UUID job = UUID.randomUUID();
    private long lastProgress = System.nanoTime();
    private double checkpointSeconds;
    private long bytes;

    /** One epoch as a job sees it: {@code evaluation} is the rest of the epoch (the test evaluation, mostly). */
    record Epoch(double steps, double evaluation, double checkpoint) {
        double total() {
            return steps + evaluation + checkpoint;
        }
    }

    Epoch epoch(double stepSeconds, double totalSeconds) {
        return new Epoch(stepSeconds, totalSeconds - stepSeconds - checkpointSeconds, checkpointSeconds);
    }

    @Override
    public void onStep(int epoch, int step, double done) {
        long now = System.nanoTime();
        if (now - lastProgress >= PROGRESS_INTERVAL) {
            lastProgress = now;
            bytes += JSON.writeValueAsBytes(JobEvent.progress(job, 1, "bench", done, null)).length;
        }
    }

    @Override
    public void onEpoch(EpochRecord r) {
        bytes += JSON.writeValueAsBytes(JobEvent.epoch(job, 1, "bench", 0.5, String.format("epoch %d: train loss "
                + "%.4f, test accuracy %.4f", r.epoch(), r.trainLoss(), r.testAccuracy()), new JobEvent.Epoch(null,
                r.epoch(), JSON.valueToTree(r)))).length;
    }

    @Override
    public void onCheckpoint(int epoch, Supplier<Checkpoint> state) {
        long start = System.nanoTime();
        try {
            Path file = Files.createTempFile("valley-bench-checkpoint", ".safetensors");
            try {
                Files.write(file, state.get().bytes());
                bytes += Files.size(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        checkpointSeconds += (System.nanoTime() - start) / 1e9;
    }
}
