package dev.valley.worker.science.model;

/** How a forward pass treats batch norm. */
public enum Mode {
    /** Batch statistics normalise; running statistics move by PyTorch's default momentum 0.1. */
    TRAIN,
    /** Running statistics normalise; nothing changes. */
    EVAL,
    /** Batch statistics normalise, and the running statistics are overwritten by this batch's (mean, unbiased
     * variance): what {@link dev.valley.worker.science.train.BatchNormStatistics} averages over a pass. */
    MEASURE;

    public boolean usesBatchStatistics() {
        return this != EVAL;
    }
}
