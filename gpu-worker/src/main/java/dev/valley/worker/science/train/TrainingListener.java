package dev.valley.worker.science.train;

import dev.valley.model.job.TrainResult.EpochRecord;

/** Hooks for progress and cancellation; the numerical loop knows nothing of queues or HTTP. */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() {
    };

    /** After each optimiser step; {@code done} in (0, 1]. */
    default void onStep(int epoch, int step, double done) {
    }

    default void onEpoch(EpochRecord record) {
    }

    /** After each epoch: {@code state} builds the loop's checkpoint, for a listener that wants one now. */
    default void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
    }

    /** Asked before every step: true stops the loop with {@link CancelledException}. */
    default boolean cancelRequested() {
        return false;
    }
}
