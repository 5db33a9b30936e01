package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.BatchNorm;
import dev.valley.worker.science.Scalars;

/** PyTorch's BatchNorm1d/2d over dimension 1, with the tensors {@code prefix.{weight, bias, running_*}}. */
final class BatchNorms {
    static final float EPSILON = 1e-5f;
    /** DJL passes 1 - momentum to torch (MXNet's convention): 0.9 here is PyTorch's default 0.1, and 0 is torch's
     * momentum 1, which replaces the running statistics by the batch's. */
    private static final float DJL_TRAIN_MOMENTUM = 0.9f;
    private static final float DJL_REPLACE = 0f;

    private BatchNorms() {
    }

    static NDArray apply(NDArray h, Weights w, String prefix, Mode mode) {
        float momentum = mode == Mode.MEASURE ? DJL_REPLACE : DJL_TRAIN_MOMENTUM;
        // Axis -1 makes DJL hand the call straight to torch::batch_norm, which normalises over dimension 1.
        NDArray out = BatchNorm.batchNorm(h, w.get(prefix + ".running_mean"), w.get(prefix + ".running_var"),
                w.get(prefix + ".weight"), w.get(prefix + ".bias"), -1, momentum, EPSILON,
                mode.usesBatchStatistics()).singletonOrThrow();
        if (mode.usesBatchStatistics()) {
            NDArray counter = w.get(prefix + ".num_batches_tracked");
            counter.addi(Scalars.of(h.getManager(), 1, counter.getDataType()));
        }
        return out;
    }
}
