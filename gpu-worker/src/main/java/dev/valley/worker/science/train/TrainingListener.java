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

    /** Asked before every step: true stops the loop with {@link CancelledException}. */
    default boolean cancelRequested() {
        return false;
    }
}
