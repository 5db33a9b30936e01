package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;

/**
 * Epochs of minibatches over a device-resident dataset, for every kind of training: each epoch gathers a seeded
 * permutation once, then slices batches, each step in a sub-manager of its own so that nothing outlives it. Checks
 * for cancellation before every step. The steps' losses stay on the device, each in its slot of an epoch's array, and
 * are read once at the end of the epoch: a read per step would make the host wait for a GPU at every step. The read
 * finds divergence and names the first step whose loss was not finite; the steps after it change nothing that
 * survives, since the run then fails.
 */
public final class MinibatchLoop {

    /** One optimiser step on a batch; returns the loss it saw, a 0-d array the loop reads later (never read it
     * here). Arrays it makes belong to {@code scope}. */
    public interface Step {
        NDArray apply(NDArray x, NDArray y, NDManager scope, int epoch, int step);
    }

    public interface Epochs {
        default void begin(int epoch) {
        }

        /** {@code meanLoss} over the epoch's steps; {@code seconds} of its steps alone. */
        void end(int epoch, double meanLoss, double seconds);
    }

    public record Outcome(long steps, double seconds) {
    }

    private MinibatchLoop() {
    }

    /** Runs with autograd off ({@link NoGrad}); a step switches it on for its forward and backward. */
    public static Outcome run(DeviceData train, int epochs, int batchSize, long seed, NDManager manager,
            TrainingListener listener, Epochs hooks, Step body) {
        return run(train, 1, epochs, batchSize, seed, manager, listener, hooks, body);
    }

    /**
     * Runs epochs {@code firstEpoch} to {@code epochs}: a loop resumed after epoch {@code firstEpoch - 1} sees the
     * same permutations, so it takes the steps the uninterrupted loop would have taken.
     */
    public static Outcome run(DeviceData train, int firstEpoch, int epochs, int batchSize, long seed,
            NDManager manager, TrainingListener listener, Epochs hooks, Step body) {
        int stepsPerEpoch = (train.size() + batchSize - 1) / batchSize;
        long totalSteps = (long) stepsPerEpoch * epochs;
        long before = (long) stepsPerEpoch * (firstEpoch - 1);
        long steps = 0;
        double seconds = 0;
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int epoch = firstEpoch; epoch <= epochs; epoch++) {
                hooks.begin(epoch);
                double lossSum = 0;
                long epochStart = System.nanoTime();
                try (NDManager epochScope = manager.newSubManager()) {
                    NDArray losses = epochScope.zeros(new Shape(stepsPerEpoch));
                    NDArray order = epochScope.create(toLongs(DatasetSplits.permutation(train.size(),
                            seed * 1_000_003L + epoch)));
                    NDArray xs = train.x().get(epochScope, new NDIndex("{}", order));
                    NDArray ys = train.labels().get(epochScope, new NDIndex("{}", order));
                    for (int step = 1; step <= stepsPerEpoch; step++) {
                        if (listener.cancelRequested()) {
                            throw new CancelledException(epoch, step);
                        }
                        int from = (step - 1) * batchSize;
                        int to = Math.min(from + batchSize, train.size());
                        try (NDManager stepScope = epochScope.newSubManager()) {
                            NDArray x = xs.get(stepScope, new NDIndex().addSliceDim(from, to));
                            NDArray y = ys.get(stepScope, new NDIndex().addSliceDim(from, to));
                            losses.set(new NDIndex(step - 1), body.apply(x, y, stepScope, epoch, step));
                        }
                        steps++;
                        listener.onStep(epoch, step, (double) (before + steps) / totalSteps);
                    }
                    float[] seen = losses.toFloatArray();
                    for (int i = 0; i < seen.length; i++) {
                        if (!Float.isFinite(seen[i])) {
                            throw new DivergedException(epoch, i + 1, seen[i]);
                        }
                        lossSum += seen[i];
                    }
                }
                double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
                seconds += epochSeconds;
                if (epochSeconds > 0) {
                    listener.onThroughput(train.size() / epochSeconds);
                }
                hooks.end(epoch, lossSum / stepsPerEpoch, epochSeconds);
            }
        }
        return new Outcome(steps, seconds);
    }

    /**
     * The training objective of a batch, as a 0-d array: against class labels [N, 1] (int64), the cross-entropy of
     * the logits; against a regression's targets [N, 1] (float), the mean squared error of the predictions [N, 1].
     */
    public static NDArray loss(NDArray outputs, NDArray labels) {
        if (dev.valley.worker.science.data.DeviceData.isRegression(labels)) {
            return outputs.sub(labels).square().mean();
        }
        return outputs.logSoftmax(1).gather(labels, 1).mean().neg();
    }

    private static long[] toLongs(int[] values) {
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
