package dev.valley.worker.science.diversity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.valley.model.job.Diversity;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link Diversity} of a set of networks from their test probabilities, as Fort et al. 2019 measure it (their
 * {@code prediction disagreement} and the Jensen–Shannon divergence of section 4): with P the members' softmax outputs
 * [K, N, C] on the device,
 *
 * <pre>  D[a][b]  = (1/N) Σ_n [argmax_c P[a,n,c] ≠ argmax_c P[b,n,c]]
 *  JS[a][b] = (1/N) Σ_n H(½(P[a,n] + P[b,n])) − ½(H(P[a,n]) + H(P[b,n])),   H(p) = −Σ_c p_c ln p_c</pre>
 *
 * with 0·ln 0 = 0 (probabilities are clipped at 1e-12 inside the logarithm). The ensemble is the mean of the members'
 * probabilities, scored as {@link Evaluator#ensemble}.
 */
public final class FunctionalDiversity {
    private FunctionalDiversity() {
    }

    /**
     * {@code probabilities}: each member's [N, C] softmax outputs on {@code data}, in {@code names}' order. Null for
     * a regression set, whose members have no classes to disagree on (they are compared as functions instead).
     */
    public static Diversity of(List<String> names, List<NDArray> probabilities, DeviceData data) {
        if (data.isRegression()) {
            return null;
        }
        int k = probabilities.size();
        if (k < 2 || names.size() != k) {
            throw new IllegalArgumentException("diversity needs two or more members, each named; got " + k
                    + " members and " + names.size() + " names");
        }
        List<Double> accuracy = new ArrayList<>();
        List<Double> loss = new ArrayList<>();
        double[][] disagreement = new double[k][k];
        double[][] js = new double[k][k];
        Metrics ensemble;
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = probabilities.get(0).getManager().newSubManager()) {
            NDList copies = new NDList();
            for (NDArray p : probabilities) {
                NDArray copy = p.toType(DataType.FLOAT64, true);
                copy.attach(scope);
                copies.add(copy);
            }
            NDArray all = NDArrays.stack(copies); // [K, N, C]
            for (NDArray p : probabilities) {
                Metrics alone = Evaluator.ensemble(p, data);
                accuracy.add(alone.accuracy());
                loss.add(alone.loss());
            }
            ensemble = Evaluator.ensemble(all.mean(new int[] {0}).toType(DataType.FLOAT32, false), data);
            NDArray predicted = all.argMax(2); // [K, N]
            double[] entropy = entropy(all).mean(new int[] {1}).toDoubleArray(); // [K]
            for (int a = 0; a < k; a++) {
                for (int b = a + 1; b < k; b++) {
                    try (NDManager pair = scope.newSubManager()) {
                        pair.tempAttachAll(all, predicted); // what a pair makes goes with it
                        double d = predicted.get(a).neq(predicted.get(b)).toType(DataType.FLOAT64, false).mean()
                                .getDouble();
                        double mixed = entropy(all.get(a).add(all.get(b)).div(2)).mean().getDouble();
                        disagreement[a][b] = d;
                        disagreement[b][a] = d;
                        js[a][b] = mixed - (entropy[a] + entropy[b]) / 2;
                        js[b][a] = js[a][b];
                    }
                }
            }
        }
        List<Double> normalised = new ArrayList<>();
        double meanD = 0;
        double meanJs = 0;
        for (int a = 0; a < k; a++) {
            double mine = 0;
            for (int b = 0; b < k; b++) {
                mine += a == b ? 0 : disagreement[a][b] / (k - 1);
                if (b > a) {
                    meanD += disagreement[a][b];
                    meanJs += js[a][b];
                }
            }
            double error = 1 - accuracy.get(a);
            normalised.add(error > 0 ? mine / error : null); // no errors: the ratio is undefined
        }
        int pairs = k * (k - 1) / 2;
        return new Diversity(List.copyOf(names), accuracy, loss, rows(disagreement), rows(js), normalised,
                meanD / pairs, meanJs / pairs, ensemble.accuracy(), ensemble.loss(), data.size());
    }

    /** H over the last axis, in nats. */
    private static NDArray entropy(NDArray p) {
        return p.mul(p.clip(1e-12, 1.0).log()).sum(new int[] {p.getShape().dimension() - 1}).neg();
    }

    private static List<List<Double>> rows(double[][] m) {
        List<List<Double>> out = new ArrayList<>();
        for (double[] row : m) {
            List<Double> r = new ArrayList<>();
            for (double v : row) {
                r.add(v);
            }
            out.add(r);
        }
        return out;
    }
}
