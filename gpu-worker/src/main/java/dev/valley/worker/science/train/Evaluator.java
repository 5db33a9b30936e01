package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Weights;

/** Loss and accuracy over a whole split, in inference mode (batch norm uses its running statistics). */
public final class Evaluator {
    public static final int BATCH = 2000;

    private Evaluator() {
    }

    public static Metrics evaluate(Weights weights, DeviceData data) {
        double lossSum = 0;
        long correct = 0;
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = weights.manager().newSubManager()) {
            for (int from = 0; from < data.size(); from += BATCH) {
                int to = Math.min(from + BATCH, data.size());
                try (NDManager batch = scope.newSubManager()) {
                    NDArray x = data.x().get(batch, new NDIndex().addSliceDim(from, to));
                    NDArray y = data.labels().get(batch, new NDIndex().addSliceDim(from, to));
                    NDArray logits = weights.architecture().forward(weights, x, false);
                    lossSum -= logits.logSoftmax(1).gather(y, 1).sum().getFloat();
                    correct += logits.argMax(1).reshape(-1, 1).eq(y).sum().getLong();
                }
            }
        }
        return new Metrics(lossSum / data.size(), (double) correct / data.size(), data.size());
    }
}
