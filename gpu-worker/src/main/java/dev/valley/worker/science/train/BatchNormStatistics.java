package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes batch-norm statistics for weights that were never trained as they are (a curve point, an average, a
 * grid point), as {@code torch.optim.swa_utils.update_bn} does: one pass over the training data in training mode,
 * the running mean and (unbiased) variance each the plain average of the per-batch values (torch's momentum=None),
 * {@code num_batches_tracked} the number of batches. Batches are taken in the data's stored order.
 */
public final class BatchNormStatistics {
    private BatchNormStatistics() {
    }

    /** Returns false, changing nothing, when the architecture has no batch norm. */
    public static boolean recompute(Weights weights, DeviceData train, int batchSize) {
        return recompute(weights, train.size(), batchSize, (batch, from, to) -> weights.architecture()
                .forward(weights, train.x().get(batch, new NDIndex().addSliceDim(from, to)), Mode.MEASURE));
    }

    /** A forward pass in {@link Mode#MEASURE} over examples [from, to) of the training data, its arrays in
     * {@code batch}. */
    public interface Pass {
        void forward(NDManager batch, int from, int to);
    }

    /** As above, with the pass given: a grid feeds the first layer's output it has already computed. */
    public static boolean recompute(Weights weights, int size, int batchSize, Pass pass) {
        if (!weights.architecture().hasBatchNorm()) {
            return false;
        }
        List<NDArray> statistics = new ArrayList<>();
        List<NDArray> counters = new ArrayList<>();
        for (TensorSpec spec : weights.architecture().tensors()) {
            if (spec.name().endsWith(".running_mean") || spec.name().endsWith(".running_var")) {
                statistics.add(weights.get(spec.name()));
            } else if (spec.name().endsWith(".num_batches_tracked")) {
                counters.add(weights.get(spec.name()));
            }
        }
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = weights.manager().newSubManager()) {
            List<NDArray> sums = statistics.stream().map(s -> scope.zeros(s.getShape(), s.getDataType())).toList();
            int batches = 0;
            for (int from = 0; from < size; from += batchSize) {
                int to = Math.min(from + batchSize, size);
                try (NDManager batch = scope.newSubManager()) {
                    pass.forward(batch, from, to);
                    for (int i = 0; i < statistics.size(); i++) {
                        sums.get(i).addi(statistics.get(i));
                    }
                }
                batches++;
            }
            for (int i = 0; i < statistics.size(); i++) {
                sums.get(i).divi(Scalars.of(scope, batches)).copyTo(statistics.get(i));
            }
            for (NDArray counter : counters) {
                Scalars.of(scope, batches, counter.getDataType()).reshape(counter.getShape()).copyTo(counter);
            }
        }
        return true;
    }
}
