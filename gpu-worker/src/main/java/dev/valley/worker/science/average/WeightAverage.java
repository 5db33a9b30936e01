package dev.valley.worker.science.average;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running mean of a network's parameters, as {@code torch.optim.swa_utils.AveragedModel} keeps it:
 * avg ← avg + (p − avg) / (n + 1). Batch-norm statistics are not averaged; {@link #weights} gives fresh ones, to be
 * recomputed.
 */
public final class WeightAverage implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> average = new LinkedHashMap<>();
    private int count;

    public WeightAverage(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    public void add(Weights weights) {
        try (NoGrad noGrad = NoGrad.enter()) {
            if (count == 0) {
                average.putAll(TensorMaps.copy(weights.parameterMap(), manager));
            } else {
                TensorMaps.lerp(average, weights.parameterMap(), 1.0 / (count + 1));
            }
            count++;
        }
    }

    /** Takes over {@code tensors} (a checkpoint's average of {@code count} networks) as the average so far. */
    public void restore(Map<String, NDArray> tensors, int count) {
        average.values().forEach(NDArray::close);
        average.clear();
        tensors.forEach((name, array) -> {
            array.attach(manager);
            average.put(name, array);
        });
        this.count = count;
    }

    /** The averaged parameters by name (live, not copies). */
    public Map<String, NDArray> tensors() {
        return java.util.Collections.unmodifiableMap(average);
    }

    public int count() {
        return count;
    }

    /** The average with fresh batch-norm statistics, as a view in {@code scope}; null before the first add. */
    public Weights weights(Weights like, NDManager scope) {
        if (count == 0) {
            return null;
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>(like.architecture().freshBuffers(scope));
        tensors.putAll(average);
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        like.architecture().tensors().forEach(s -> ordered.put(s.name(), tensors.get(s.name())));
        return Weights.view(like.architecture(), scope, ordered);
    }

    @Override
    public void close() {
        manager.close();
    }
}
