package dev.valley.worker.science.grid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weights W(x, y) = origin + x·u + y·v of one point after another, formed in place: one set of tensors,
 * allocated once, rewritten at every point from the row's origin + y·v. Batch-norm statistics are a mutable copy
 * of the origin's (or fresh ones), for recomputation per point.
 */
final class PlanePoints implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    private final Plane plane;
    private final Set<String> skipped;
    private final NDManager manager;
    private final Map<String, NDArray> formed = new LinkedHashMap<>();
    private final Weights weights;
    private NDManager row;
    private final Map<String, NDArray> rowBase = new LinkedHashMap<>();

    /** {@code skipped}: parameters never formed (a grid's first layer, which it handles by linearity). */
    PlanePoints(Plane plane, Set<String> skipped) {
        this.plane = plane;
        this.skipped = skipped;
        this.manager = plane.manager().newSubManager();
        Architecture architecture = plane.architecture();
        Map<String, NDArray> fresh = architecture.freshBuffers(manager);
        Map<String, NDArray> all = new LinkedHashMap<>();
        for (TensorSpec spec : architecture.tensors()) {
            NDArray origin = plane.origin().get(spec.name());
            NDArray tensor;
            if (!spec.isParameter()) {
                tensor = plane.originHasStatistics() ? origin.duplicate() : fresh.get(spec.name());
            } else {
                tensor = origin.duplicate();
                if (!skipped.contains(spec.name())) {
                    formed.put(spec.name(), tensor);
                }
            }
            tensor.attach(manager);
            all.put(spec.name(), tensor);
        }
        this.weights = Weights.view(architecture, manager, all);
    }

    void beginRow(double y) {
        if (row != null) {
            row.close();
        }
        rowBase.clear();
        row = manager.newSubManager();
        for (String name : formed.keySet()) {
            NDArray base = plane.v(name).mul(Scalars.of(row, y));
            base.attach(row);
            rowBase.put(name, base.addi(plane.origin().get(name)));
        }
    }

    /** The weights at (x, the row's y): the same tensors every time, rewritten. */
    Weights at(double x) {
        try (NDManager scratch = manager.newSubManager()) {
            for (Map.Entry<String, NDArray> e : formed.entrySet()) {
                NDArray step = plane.u(e.getKey()).mul(Scalars.of(scratch, x));
                step.attach(scratch);
                e.getValue().set(ALL, step.addi(rowBase.get(e.getKey())));
            }
        }
        return weights;
    }

    Weights weights() {
        return weights;
    }

    @Override
    public void close() {
        manager.close();
    }
}
