package dev.valley.worker.science.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;

/**
 * Loss and accuracy over a whole split, in inference mode (batch norm uses its running statistics): the
 * cross-entropy and the fraction classified right, or for a regression set the mean squared error and no accuracy.
 */
public final class Evaluator {
    public static final int BATCH = 2000;

    private Evaluator() {
    }

    public static Metrics evaluate(Weights weights, DeviceData data) {
        return evaluate(weights, data, null).metrics();
    }

    /** Metrics, and with {@code keepIn} non-null the softmax outputs [N, classes] (a regression's predictions
     * [N, 1]) in that manager, for ensembles. */
    public record Evaluation(Metrics metrics, NDArray probabilities) {
    }

    public static Evaluation evaluate(Weights weights, DeviceData data, NDManager keepIn) {
        return evaluate(weights, data, batchFor(weights.architecture(), data, weights.manager().getDevice()),
                weights.manager(), keepIn);
    }

    /** The evaluation batch ({@link EvaluationBatch}) of {@code architecture} over {@code data} on {@code device}. */
    public static int batchFor(Architecture architecture, DeviceData data, Device device) {
        return EvaluationBatch.of(architecture, data.size() == 0 ? 1 : data.x().size() / data.size(), device);
    }

    /** As above in batches of {@code batchSize}, the batches' arrays under {@code parent}. */
    public static Evaluation evaluate(Weights weights, DeviceData data, int batchSize, NDManager parent,
            NDManager keepIn) {
        return evaluate(parent, data, batchSize, keepIn, (batch, from, to) -> weights.architecture()
                .forward(weights, data.x().get(batch, new NDIndex().addSliceDim(from, to)), Mode.EVAL));
    }

    /** The logits of examples [from, to), their arrays in {@code batch}. */
    public interface Logits {
        NDArray of(NDManager batch, int from, int to);
    }

    /**
     * As above, with the logits given by batch: a grid feeds the first layer's output it has already computed. For a
     * regression set ({@link DeviceData#isRegression()}) the loss is the mean squared error, the accuracy NaN, and
     * the kept outputs are the predictions [N, 1].
     */
    public static Evaluation evaluate(NDManager parent, DeviceData data, int batchSize, NDManager keepIn,
            Logits model) {
        boolean regression = data.isRegression();
        double lossSum;
        long correct;
        NDArray probabilities = null;
        // The sums stay on the device and are read once: a read per batch would wait for the device each time.
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = parent.newSubManager()) {
            NDList parts = new NDList();
            NDArray loss = scope.zeros(new Shape(), DataType.FLOAT64);
            NDArray right = scope.zeros(new Shape(), DataType.INT64);
            for (int from = 0; from < data.size(); from += batchSize) {
                int to = Math.min(from + batchSize, data.size());
                NDManager batch = scope.newSubManager();
                NDArray y = data.labels().get(batch, new NDIndex().addSliceDim(from, to));
                NDArray logits = model.of(batch, from, to);
                NDArray kept;
                if (regression) {
                    loss.addi(logits.sub(y).square().sum().toType(DataType.FLOAT64, false));
                    kept = logits;
                } else {
                    NDArray logProbabilities = logits.logSoftmax(1);
                    loss.subi(logProbabilities.gather(y, 1).sum().toType(DataType.FLOAT64, false));
                    right.addi(logits.argMax(1).reshape(-1, 1).eq(y).sum());
                    kept = keepIn == null ? null : logProbabilities.exp();
                }
                if (keepIn != null) {
                    parts.add(kept);
                } else {
                    batch.close();
                }
            }
            lossSum = loss.getDouble();
            correct = right.getLong();
            if (keepIn != null) {
                probabilities = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
                probabilities.attach(keepIn);
            }
        }
        return new Evaluation(new Metrics(lossSum / data.size(), regression ? Double.NaN
                : (double) correct / data.size(), data.size()), probabilities);
    }

    /** The ensemble whose prediction is {@code probabilities} (the mean of its members' softmax outputs): NLL and
     * accuracy against the split's labels. For a regression set, the mean of the members' predictions: its mean
     * squared error, and no accuracy (NaN). */
    public static Metrics ensemble(NDArray probabilities, DeviceData data) {
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = probabilities.getManager().newSubManager()) {
            NDArray p = probabilities.duplicate();
            p.attach(scope);
            if (data.isRegression()) {
                return new Metrics(p.sub(data.labels()).square().mean().getFloat(), Double.NaN, data.size());
            }
            double loss = -p.gather(data.labels(), 1).clip(1e-12f, 1f).log().mean().getFloat();
            double accuracy = p.argMax(1).reshape(-1, 1).eq(data.labels()).sum().getLong() / (double) data.size();
            return new Metrics(loss, accuracy, data.size());
        }
    }
}
