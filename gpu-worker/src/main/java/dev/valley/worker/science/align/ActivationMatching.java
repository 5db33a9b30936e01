package dev.valley.worker.science.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Mlp;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Git Re-Basin's activation matching (Ainsworth et al. 2023, section 3.1) for an MLP: each hidden layer's units of
 * the target are matched to the reference's by the correlation of their activations (after ReLU) on the same
 * training examples, as a linear assignment of the correlation matrix. A unit's activations do not depend on how
 * earlier layers are ordered, so each layer is matched on its own, in one pass.
 */
public final class ActivationMatching {
    private ActivationMatching() {
    }

    /** {@code objective}: the summed correlation of the units matched, before (the identity) and after. */
    public static WeightMatching.Result match(Weights reference, Weights target, PermutationSpec spec,
            DeviceData train, int subset, long seed) {
        if (!(reference.architecture() instanceof Mlp)) {
            throw new IllegalArgumentException("method activations is for mlp networks; align "
                    + reference.architecture().describe() + " with method weights");
        }
        int[] order = DatasetSplits.permutation(train.size(), seed);
        long[] picked = new long[Math.min(subset, train.size())];
        for (int i = 0; i < picked.length; i++) {
            picked[i] = order[i];
        }
        Map<String, int[]> permutations = new LinkedHashMap<>();
        double before = 0;
        double after = 0;
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = reference.manager().newSubManager()) {
            NDArray x = train.x().get(scope, new NDIndex("{}", scope.create(picked)));
            List<NDArray> a = hidden(reference, x);
            List<NDArray> b = hidden(target, x);
            for (int layer = 0; layer < a.size(); layer++) {
                PermutationSpec.Group g = spec.group("layers." + layer);
                int n = g.size();
                double[] correlation = toDoubles(standardised(a.get(layer)).matMul(standardised(b.get(layer))
                        .transpose()).div(picked.length).toFloatArray());
                int[] p = LinearAssignment.maximize(correlation, n);
                before += trace(correlation, n);
                after += LinearAssignment.value(correlation, n, p);
                permutations.put(g.name(), p);
            }
        }
        return new WeightMatching.Result(permutations, List.of(before, after), 1, true);
    }

    /** Each hidden layer's activations after ReLU, units × examples. */
    private static List<NDArray> hidden(Weights w, NDArray x) {
        List<NDArray> out = new ArrayList<>();
        NDArray h = x.reshape(x.getShape().get(0), -1);
        int layers = 0;
        while (w.tensors().containsKey("layers." + (layers + 1) + ".weight")) {
            layers++;
        }
        for (int i = 0; i < layers; i++) {
            h = Activation.relu(Linear.linear(h, w.get("layers." + i + ".weight"), w.get("layers." + i + ".bias"))
                    .singletonOrThrow());
            out.add(h.transpose());
        }
        return out;
    }

    /** Each row centred and scaled to unit standard deviation; a constant row (a dead unit) becomes zeros. */
    private static NDArray standardised(NDArray rows) {
        NDArray centred = rows.sub(rows.mean(new int[] {1}, true));
        NDArray std = centred.square().mean(new int[] {1}, true).sqrt();
        return centred.div(std.maximum(1e-12f)).mul(std.gt(1e-12f).toType(centred.getDataType(), false));
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static double trace(double[] matrix, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += matrix[i * n + i];
        }
        return sum;
    }
}
