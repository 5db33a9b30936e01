package dev.valley.worker.science.train;

import ai.djl.Device;
import dev.valley.worker.science.model.Architecture;

/**
 * How many examples one evaluation forward pass takes (a test evaluation, a grid point, an ensemble's outputs): as
 * many as keep the network's widest intermediate tensor ({@link Architecture#widestActivation}) within a budget.
 * <ul>
 * <li>On a CPU the budget is 16 MB. DJL keeps every intermediate of a batch until the batch ends, and glibc serves
 * a block over its mmap threshold (32 MB as {@code ./valley} sets it) with fresh pages each time: a 1,000-image batch
 * of PreResNet-20 spent most of its evaluation in page faults (3.0 s against 0.6 s in batches of 334,
 * {@code ./valley bench --arch preresnet20}). The MLP keeps its batches of 2,000.</li>
 * <li>On a GPU the budget is 1 GB, up to 65,536 examples: a GPU is fed by large batches, and its caching allocator
 * reuses blocks.</li>
 * </ul>
 * {@code valley.worker.evaluation-memory} sets the budget for both. Sums over batches are taken on the device and
 * read once, so the batch size changes the metrics only in float32 rounding.
 */
public final class EvaluationBatch {
    static final long CPU_BUDGET = 16L << 20;
    static final long GPU_BUDGET = 1L << 30;
    /** Where the widest activation is not known: the input's floats times this. */
    static final long UNKNOWN_WIDENING = 64;
    private static volatile long configured;

    private EvaluationBatch() {
    }

    /** The budget in bytes for the widest intermediate tensor of a batch; 0 or less: by device, as above. */
    public static void configure(long bytes) {
        configured = bytes;
    }

    /** Examples per evaluation batch of {@code architecture} on {@code device}, for inputs of {@code inputFloats}. */
    public static int of(Architecture architecture, long inputFloats, Device device) {
        long widest = architecture.widestActivation() > 0 ? architecture.widestActivation()
                : Math.max(1, inputFloats) * UNKNOWN_WIDENING;
        boolean gpu = device.isGpu();
        long budget = configured > 0 ? configured : gpu ? GPU_BUDGET : CPU_BUDGET;
        long batch = budget / (4 * widest);
        return (int) Math.max(1, Math.min(batch, gpu ? 65_536 : Evaluator.BATCH));
    }
}
