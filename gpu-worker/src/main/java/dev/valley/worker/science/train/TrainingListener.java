package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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

    /** The same, from the named part of a job ({@code part}: null for the job's one run); {@link Progress} says. */
    default void onEpoch(String part, EpochRecord record) {
        onEpoch(record);
    }

    /**
     * An epoch's figures where a run's epochs are not {@link EpochRecord}s (a curve's: no test metrics per epoch);
     * {@code done} is the job's progress then.
     */
    default void onEpochFigures(String part, int epoch, Record figures, double done) {
    }

    /** Work that is not a training step (evaluating points along a path): {@code done} in (0, 1], and what it is. */
    default void onEvaluation(double done, String text) {
    }

    /**
     * Asked before the test evaluation after {@code epoch}: a manager here makes that evaluation keep its softmax
     * outputs in it and hand them to {@link #onTestProbabilities}, so that a listener that wants them (an SWA run's
     * iterates) does not evaluate the same weights again; null (the default) keeps nothing.
     */
    default NDManager keepTestProbabilities(int epoch) {
        return null;
    }

    /** The test set's softmax outputs after {@code epoch}, in the manager {@link #keepTestProbabilities} gave;
     * called before {@link #onEpoch}. */
    default void onTestProbabilities(int epoch, NDArray probabilities) {
    }

    /** After each epoch: {@code state} builds the loop's checkpoint, for a listener that wants one now. */
    default void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
    }

    /** After each epoch of minibatches: the examples per second its steps took. */
    default void onThroughput(double samplesPerSecond) {
    }

    /** Asked before every step: true stops the loop with {@link CancelledException}. */
    default boolean cancelRequested() {
        return false;
    }

    /** Passes everything on to {@code next}; a subclass overrides what it adds (a snapshot, an average). */
    abstract class Forwarding implements TrainingListener {
        protected final TrainingListener next;

        protected Forwarding(TrainingListener next) {
            this.next = next;
        }

        @Override
        public void onStep(int epoch, int step, double done) {
            next.onStep(epoch, step, done);
        }

        @Override
        public void onEpoch(EpochRecord record) {
            next.onEpoch(record);
        }

        @Override
        public void onEpochFigures(String part, int epoch, Record figures, double done) {
            next.onEpochFigures(part, epoch, figures, done);
        }

        @Override
        public void onEvaluation(double done, String text) {
            next.onEvaluation(done, text);
        }

        @Override
        public NDManager keepTestProbabilities(int epoch) {
            return next.keepTestProbabilities(epoch);
        }

        @Override
        public void onTestProbabilities(int epoch, NDArray probabilities) {
            next.onTestProbabilities(epoch, probabilities);
        }

        @Override
        public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
            next.onCheckpoint(epoch, state);
        }

        @Override
        public void onThroughput(double samplesPerSecond) {
            next.onThroughput(samplesPerSecond);
        }

        @Override
        public boolean cancelRequested() {
            return next.cancelRequested();
        }
    }
}
