package dev.valley.worker.science.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The swap of two hidden units, the path of Brea et al. 2019 ("Weight-space symmetry in deep networks gives rise to
 * permutation saddles, connected by equal-loss valleys", section 3): for a network θ and units i ≠ j of one
 * permutation group P (a {@link PermutationSpec.Group}), π_ij θ is θ with i and j transposed on every axis P
 * permutes (incoming weights, bias, batch-norm scale, shift and statistics, outgoing weights). It computes θ's
 * function. The path
 *
 * <pre>  W(x) = θ + x·(π_ij θ − θ),   0 ≤ x ≤ 1,</pre>
 *
 * moves each of the two units' weights linearly onto the other's; at x = ½ both are (θ_i + θ_j)/2 on every axis:
 * the units coincide, the permutation point whose loss is the saddle's.
 *
 * <p>A pair's distance is d(i, j) = ‖a_i − a_j‖, a_i the concatenation of unit i's slices of the group's
 * parameters on their output axis (the incoming weights, bias and batch-norm scale and shift: what the unit
 * computes from its inputs). {@code most-similar} takes argmin over i &lt; j of d (the nearest coincidence, the
 * cheapest saddle in Brea et al.'s account), {@code most-different} the argmax. The search computes
 * d² = ‖a_i‖² + ‖a_j‖² − 2⟨a_i, a_j⟩ from the Gram matrix in float64, a block of rows at a time on the device.
 */
public final class UnitSwap {
    /** Rows of the n × n distance matrix computed at once: at most this many entries. */
    private static final long BLOCK_ENTRIES = 1L << 22;

    private UnitSwap() {
    }

    /** Units i and j and their distance d(i, j). */
    public record Pair(int i, int j, double distance) {
    }

    /** The given pair, checked against the group's size, with its distance. */
    public static Pair pair(Weights theta, PermutationSpec.Group group, int i, int j) {
        for (int unit : new int[] {i, j}) {
            if (unit < 0 || unit >= group.size()) {
                throw new IllegalArgumentException("plane.units: unit " + unit + " is out of range: " + group.name()
                        + " has " + group.size() + " units (0 to " + (group.size() - 1) + ")");
            }
        }
        if (i == j) {
            throw new IllegalArgumentException("plane.units: a swap needs two different units, got " + i + " twice");
        }
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = theta.manager().newSubManager()) {
            NDArray a = incoming(theta, group, scope);
            return new Pair(i, j, a.get(i).sub(a.get(j)).norm().getDouble());
        }
    }

    /** The pair of the group's units nearest each other ({@code farthest}: farthest apart). */
    public static Pair extreme(Weights theta, PermutationSpec.Group group, boolean farthest) {
        return extreme(theta, group, farthest, BLOCK_ENTRIES);
    }

    /** {@code blockEntries}: at most this many entries of the distance matrix at once (whole rows, at least one). */
    static Pair extreme(Weights theta, PermutationSpec.Group group, boolean farthest, long blockEntries) {
        int n = group.size();
        if (n < 2) {
            throw new IllegalArgumentException("plane.layer: " + group.name() + " has one unit; a swap needs two");
        }
        int bestI = -1;
        int bestJ = -1;
        double best = farthest ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = theta.manager().newSubManager()) {
            NDArray a = incoming(theta, group, scope);
            NDArray squares = a.square().sum(new int[] {1});
            NDArray columns = scope.arange(0, n, 1, DataType.INT64);
            int rows = (int) Math.max(1, Math.min(n, blockEntries / n));
            for (int r0 = 0; r0 < n - 1; r0 += rows) {
                int r1 = Math.min(n, r0 + rows);
                try (NDManager block = scope.newSubManager()) {
                    // Everything made from them lives in the block, and goes with it.
                    block.tempAttachAll(a, squares, columns);
                    NDArray ai = a.get(new NDIndex("{}:{}", r0, r1));
                    NDArray d2 = squares.get(new NDIndex("{}:{}", r0, r1)).expandDims(1).add(squares.expandDims(0))
                            .sub(ai.matMul(a.transpose()).mul(2));
                    NDArray rowIds = block.arange(r0, r1, 1, DataType.INT64).expandDims(1);
                    NDArray upper = columns.expandDims(0).gt(rowIds); // j > i: each pair once
                    NDArray fill = block.full(d2.getShape(), farthest ? Float.NEGATIVE_INFINITY
                            : Float.POSITIVE_INFINITY, DataType.FLOAT64);
                    NDArray masked = NDArrays.where(upper, d2, fill).flatten();
                    long k = (farthest ? masked.argMax() : masked.argMin()).getLong();
                    double value = masked.getDouble(k);
                    if (farthest ? value > best : value < best) {
                        best = value;
                        bestI = r0 + (int) (k / n);
                        bestJ = (int) (k % n);
                    }
                }
            }
            // The chosen pair's distance from its difference, free of the Gram form's cancellation.
            return new Pair(bestI, bestJ, a.get(bestI).sub(a.get(bestJ)).norm().getDouble());
        }
    }

    /** θ with units i and j of the group transposed on every axis it permutes, buffers included, in a sub-manager of
     * {@code parent}. */
    public static Weights swapped(Weights theta, PermutationSpec spec, PermutationSpec.Group group, int i, int j,
            NDManager parent) {
        Map<String, int[]> permutations = new LinkedHashMap<>();
        for (PermutationSpec.Group g : spec.groups()) {
            int[] p = WeightMatching.identity(g.size());
            if (g.name().equals(group.name())) {
                p[i] = j;
                p[j] = i;
            }
            permutations.put(g.name(), p);
        }
        return WeightMatching.apply(theta, spec, permutations, parent);
    }

    /** [n, features] in float64: each unit's slices of the group's parameters on their output axis. */
    static NDArray incoming(Weights theta, PermutationSpec.Group group, NDManager scope) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        theta.architecture().tensors().forEach(t -> specs.put(t.name(), t));
        List<NDArray> parts = new ArrayList<>();
        for (PermutationSpec.Axis axis : group.axes()) {
            if (axis.axis() == 0 && specs.get(axis.tensor()).isParameter()) {
                NDArray t = theta.get(axis.tensor());
                scope.tempAttachAll(t); // its float64 copy is made in the scope
                parts.add(t.toType(DataType.FLOAT64, true).reshape(group.size(), -1));
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new ai.djl.ndarray.NDList(parts), 1);
    }
}
