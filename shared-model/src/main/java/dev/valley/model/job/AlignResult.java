package dev.valley.model.job;

import java.util.List;
import java.util.Map;

/**
 * What an alignment found. {@code permutations}: each permutation's name (the layer whose outputs it permutes) and
 * how many of its units moved; {@code objective}: weight matching's Σ⟨W_ref, π(W_target)⟩ before the first sweep and
 * after each ({@code activations}: the summed correlation of matched units before and after); {@code
 * functionDifference}: the largest |Δlogit| between target and aligned over the test split, over the largest
 * |logit| (the same function: at most 1e-5); {@code target} and {@code aligned}: the lines from the reference to
 * each, at {@code t}; {@code barrierReduction}: 1 − aligned's barrier / target's (null when the target's line has
 * no barrier).
 */
public record AlignResult(
        String method,
        Map<String, Integer> permutations,
        List<Double> objective,
        int sweeps,
        boolean converged,
        double functionDifference,
        List<Double> t,
        CurveResult.Path target,
        CurveResult.Path aligned,
        Double barrierReduction,
        boolean batchNormRecomputed,
        long parameters,
        String device,
        double seconds) {
}
