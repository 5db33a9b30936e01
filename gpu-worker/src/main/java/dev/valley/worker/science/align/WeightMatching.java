package dev.valley.worker.science.align;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Git Re-Basin's weight matching (Ainsworth et al. 2023, Algorithm 1 and {@code weight_matching.py}): the
 * permutations of the target's hidden units that maximise Σ_w ⟨W_ref, π(W_target)⟩ over every parameter, found by
 * coordinate ascent. Each step takes one permutation P, holds the others fixed, and solves
 *
 * <pre>  max_P Σ_i A[i, P(i)],   A = Σ_{(w, axis) ∈ P} W_ref(axis) · π_{≠P}(W_target)(axis)ᵀ,</pre>
 *
 * a linear assignment ({@link LinearAssignment}), where W(axis) is the tensor with the permuted axis first and the
 * rest flattened. A sweep visits every permutation once, in an order drawn from the seed; the search stops after a
 * sweep that changed nothing, or after {@code maxSweeps}. A step keeps the permutation it had unless the new one
 * scores strictly higher, so the objective never falls and ties cannot cycle.
 */
public final class WeightMatching {
    private WeightMatching() {
    }

    /** {@code objective}: Σ⟨W_ref, π(W_target)⟩ before the first sweep and after each. */
    public record Result(Map<String, int[]> permutations, List<Double> objective, int sweeps, boolean converged) {
    }

    public static Result match(Weights reference, Weights target, PermutationSpec spec, long seed, int maxSweeps) {
        Map<String, int[]> permutations = new LinkedHashMap<>();
        spec.groups().forEach(g -> permutations.put(g.name(), identity(g.size())));
        Map<String, List<Map.Entry<PermutationSpec.Group, PermutationSpec.Axis>>> byTensor = spec.byTensor();
        List<Double> objective = new ArrayList<>();
        objective.add(objective(reference, target, spec, permutations));
        Random random = new Random(seed);
        int sweeps = 0;
        boolean converged = false;
        try (NoGrad noGrad = NoGrad.enter()) {
            while (sweeps < maxSweeps && !converged) {
                sweeps++;
                List<PermutationSpec.Group> order = new ArrayList<>(spec.groups());
                Collections.shuffle(order, random);
                boolean changed = false;
                for (PermutationSpec.Group g : order) {
                    double[] score = scores(reference, target, g, byTensor, permutations);
                    int[] best = LinearAssignment.maximize(score, g.size());
                    double now = LinearAssignment.value(score, g.size(), permutations.get(g.name()));
                    double then = LinearAssignment.value(score, g.size(), best);
                    if (then > now + 1e-9 * Math.max(1, Math.abs(now))) {
                        permutations.put(g.name(), best);
                        changed = true;
                    }
                }
                objective.add(objective(reference, target, spec, permutations));
                converged = !changed;
            }
        }
        return new Result(permutations, objective, sweeps, converged);
    }

    /** A[i][j] = Σ over the group's parameter axes of ⟨unit i of the reference, unit j of the target⟩. */
    private static double[] scores(Weights reference, Weights target, PermutationSpec.Group g,
            Map<String, List<Map.Entry<PermutationSpec.Group, PermutationSpec.Axis>>> byTensor,
            Map<String, int[]> permutations) {
        int n = g.size();
        double[] score = new double[n * n];
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        reference.architecture().tensors().forEach(t -> specs.put(t.name(), t));
        for (PermutationSpec.Axis a : g.axes()) {
            if (!specs.get(a.tensor()).isParameter()) {
                continue;
            }
            NDArray r = reference.get(a.tensor());
            NDArray t = target.get(a.tensor());
            try (NDManager scope = r.getManager().newSubManager()) {
                scope.tempAttachAll(r, t);
                NDArray others = permuted(t, byTensor.get(a.tensor()), permutations, g);
                float[] product = units(r, a, n).matMul(units(others, a, n).transpose()).toFloatArray();
                for (int k = 0; k < product.length; k++) {
                    score[k] += product[k];
                }
            }
        }
        return score;
    }

    /** The tensor with the axis's units first, each unit's entries flattened into one row: [n, rest]. */
    private static NDArray units(NDArray t, PermutationSpec.Axis a, int n) {
        return (a.axis() == 0 ? t : t.swapAxes(0, a.axis())).reshape(n, -1);
    }

    /** {@code t} with every permutation of its axes applied, but {@code except}'s (null: all of them). */
    static NDArray permuted(NDArray t, List<Map.Entry<PermutationSpec.Group, PermutationSpec.Axis>> axes,
            Map<String, int[]> permutations, PermutationSpec.Group except) {
        NDArray out = t;
        if (axes == null) {
            return out;
        }
        for (Map.Entry<PermutationSpec.Group, PermutationSpec.Axis> e : axes) {
            if (e.getKey() != except) {
                out = take(out, e.getValue(), permutations.get(e.getKey().name()));
            }
        }
        return out;
    }

    /** out[…, i, …] = t[…, π(i), …] along the axis, each unit covering {@code expand} consecutive entries. */
    private static NDArray take(NDArray t, PermutationSpec.Axis a, int[] permutation) {
        int e = a.expand();
        long[] index = new long[permutation.length * e];
        for (int c = 0; c < permutation.length; c++) {
            for (int k = 0; k < e; k++) {
                index[c * e + k] = (long) permutation[c] * e + k;
            }
        }
        NDArray moved = a.axis() == 0 ? t : t.swapAxes(0, a.axis());
        NDArray picked = moved.get(new NDIndex("{}", t.getManager().create(index)));
        return a.axis() == 0 ? picked : picked.swapAxes(0, a.axis());
    }

    /** The target in the reference's basis: every tensor permuted (buffers too), in a sub-manager of
     * {@code parent}. */
    public static Weights apply(Weights target, PermutationSpec spec, Map<String, int[]> permutations,
            NDManager parent) {
        Map<String, List<Map.Entry<PermutationSpec.Group, PermutationSpec.Axis>>> byTensor = spec.byTensor();
        NDManager manager = parent.newSubManager();
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NoGrad noGrad = NoGrad.enter()) {
            for (TensorSpec t : target.architecture().tensors()) {
                NDArray source = target.get(t.name());
                try (NDManager scope = manager.newSubManager()) {
                    scope.tempAttachAll(source);
                    NDArray result = permuted(source, byTensor.get(t.name()), permutations, null).duplicate();
                    result.attach(manager);
                    result.setRequiresGradient(false);
                    out.put(t.name(), result);
                }
            }
        }
        return Weights.view(target.architecture(), manager, out);
    }

    /** Σ⟨W_ref, π(W_target)⟩ over the parameters, in float64. */
    static double objective(Weights reference, Weights target, PermutationSpec spec,
            Map<String, int[]> permutations) {
        try (Weights aligned = apply(target, spec, permutations, target.manager())) {
            return TensorMaps.dot(reference.parameterMap(), aligned.parameterMap());
        }
    }

    static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }
}
