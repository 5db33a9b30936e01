package dev.valley.worker.science.hessian;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.Split;
import dev.valley.worker.science.grid.SymmetricEigen;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.Weights;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Hessian of a 4-3-2 ReLU network's cross-entropy over 50 examples, worked out a second way: the loss computed
 * in plain Java doubles (a forward pass of its own, not the architecture's), the full 23×23 Hessian from its central
 * second differences, and its eigenvalues by Jacobi rotations. Power iteration on the double-backward products must
 * find the same top eigenvalues, the exact trace the same trace, Hutchinson's estimate the trace within its standard
 * error, and a product must not depend on the batch size.
 */
class HessianScienceTest {
    private static final int N = 50;
    private static final int IN = 4;
    private static final int HIDDEN = 3;
    private static final int OUT = 2;
    /** The finite-difference step: its truncation error is O(h²) ≈ 1e-8, its rounding error O(ε/h²) ≈ 1e-8. */
    private static final double STEP = 1e-4;

    private static float[] x;
    private static int[] y;
    private static double[] theta;
    private static double[][] hessian;
    private static SymmetricEigen explicit;

    @BeforeAll
    static void explicitHessian() {
        SplittableRandom random = new SplittableRandom(11);
        x = new float[N * IN];
        y = new int[N];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < N; i++) {
            y[i] = random.nextInt(OUT);
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                Weights w = architecture().initialize(manager, 5)) {
            List<Double> flat = new ArrayList<>();
            for (NDArray p : w.parameters()) {
                for (float f : p.toFloatArray()) {
                    flat.add((double) f);
                }
            }
            theta = flat.stream().mapToDouble(Double::doubleValue).toArray();
        }
        assertThat(theta).hasSize(HIDDEN * IN + HIDDEN + OUT * HIDDEN + OUT);
        // The second differences are those of the smooth loss only where no ReLU switches within the steps: two steps
        // move a pre-activation by at most 2·STEP·max(1, |x|).
        double largestInput = 1;
        for (float v : x) {
            largestInput = Math.max(largestInput, Math.abs(v));
        }
        assertThat(smallestPreActivation(theta)).isGreaterThan(4 * STEP * largestInput);
        int p = theta.length;
        hessian = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                hessian[i][j] = (loss(shift(i, STEP, j, STEP)) - loss(shift(i, STEP, j, -STEP))
                        - loss(shift(i, -STEP, j, STEP)) + loss(shift(i, -STEP, j, -STEP))) / (4 * STEP * STEP);
            }
        }
        explicit = SymmetricEigen.of(hessian);
    }

    @Test
    void powerIterationFindsTheTopEigenvaluesAndTheExactTraceIsTheDiagonalsSum() {
        double[] byMagnitude = java.util.Arrays.stream(explicit.values()).boxed()
                .sorted((a, b) -> Double.compare(Math.abs(b), Math.abs(a))).mapToDouble(Double::doubleValue).toArray();
        double trace = 0;
        for (int i = 0; i < hessian.length; i++) {
            trace += hessian[i][i];
        }
        try (Fixture f = new Fixture(N)) {
            List<HessianSpectrum.Eigen> eigen = HessianSpectrum.eigenvalues(f.h, 2, 1e-7, 3000, 1, f.manager,
                    (products, text) -> { });
            for (int k = 0; k < 2; k++) {
                assertThat(eigen.get(k).converged()).isTrue();
                assertThat(eigen.get(k).value()).isCloseTo(byMagnitude[k], within(1e-4 * Math.abs(byMagnitude[k])));
            }
            // The eigenvector of a well-separated eigenvalue (0.957 against 0.654) is accurate; the second's is less so,
            // its neighbour being −0.643, but its Rayleigh quotient is still right (above).
            assertThat(eigen.get(0).residual()).isLessThan(1e-3 * Math.abs(byMagnitude[0]));
            assertThat(eigen.get(1).residual()).isLessThan(1e-2 * Math.abs(byMagnitude[1]));
            // The eigenvectors are unit vectors, orthogonal to each other.
            assertThat(TensorMaps.dot(eigen.get(0).vector(), eigen.get(0).vector())).isCloseTo(1, within(1e-5));
            assertThat(TensorMaps.dot(eigen.get(0).vector(), eigen.get(1).vector())).isCloseTo(0, within(1e-4));
            HessianSpectrum.Trace exact = HessianSpectrum.trace(f.h, 50, 1, f.manager, (products, text) -> { });
            assertThat(exact.exact()).isTrue();
            assertThat(exact.probes()).isEqualTo(theta.length);
            assertThat(exact.value()).isCloseTo(trace, within(1e-4 * Math.abs(trace)));
        }
    }

    @Test
    void hutchinsonEstimatesTheTraceWithinItsStandardError() {
        double trace = 0;
        double offDiagonal = 0;
        for (int i = 0; i < hessian.length; i++) {
            trace += hessian[i][i];
            for (int j = 0; j < hessian.length; j++) {
                offDiagonal += i == j ? 0 : hessian[i][j] * hessian[i][j];
            }
        }
        int probes = 20; // fewer than the 23 parameters: the estimator, not the exact sum
        // Var(zᵀHz) = 2 Σ_{i≠j} H_ij² for Rademacher z, a closed form for the standard error.
        double theory = Math.sqrt(2 * offDiagonal / probes);
        try (Fixture f = new Fixture(N)) {
            HessianSpectrum.Trace estimate = HessianSpectrum.trace(f.h, probes, 3, f.manager, (p, t) -> { });
            assertThat(estimate.exact()).isFalse();
            assertThat(estimate.probes()).isEqualTo(probes);
            assertThat(estimate.value()).isCloseTo(trace, within(4 * theory));
            assertThat(estimate.standardError()).isBetween(0.5 * theory, 1.5 * theory);
        }
    }

    @Test
    void theGradientAndLossAreTheDoublePrecisionOnesAndBatchesDoNotChangeAProduct() {
        try (Fixture whole = new Fixture(N); Fixture batched = new Fixture(7)) {
            HessianVectorProducts.Gradient g = whole.h.gradient(whole.manager);
            assertThat(g.loss()).isCloseTo(loss(theta), within(1e-6));
            double[] gradient = flat(g.gradient());
            for (int i = 0; i < theta.length; i++) {
                double fd = (loss(shift(i, STEP, i, 0)) - loss(shift(i, -STEP, i, 0))) / (2 * STEP);
                assertThat(gradient[i]).isCloseTo(fd, within(1e-5));
            }
            // H·v against the explicit matrix, for one v, with one batch and with batches of 7.
            Map<String, NDArray> v = new LinkedHashMap<>();
            double[] vs = new double[theta.length];
            int offset = 0;
            for (Map.Entry<String, NDArray> e : whole.weights.parameterMap().entrySet()) {
                float[] values = new float[Math.toIntExact(e.getValue().size())];
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) Math.sin(offset + i + 1.0);
                    vs[offset + i] = values[i];
                }
                offset += values.length;
                v.put(e.getKey(), whole.manager.create(values, e.getValue().getShape()));
            }
            double[] one = flat(whole.h.apply(List.of(v), whole.manager).get(0));
            double[] seven = flat(batched.h.apply(List.of(v), batched.manager).get(0));
            assertThat(whole.h.products()).isEqualTo(1);
            for (int i = 0; i < theta.length; i++) {
                double expected = 0;
                for (int j = 0; j < theta.length; j++) {
                    expected += hessian[i][j] * vs[j];
                }
                assertThat(one[i]).isCloseTo(expected, within(1e-4 * (1 + Math.abs(expected))));
                assertThat(seven[i]).isCloseTo(one[i], within(1e-5 * (1 + Math.abs(one[i]))));
            }
        }
    }

    /** The network and the examples on the CPU, the products taken in batches of {@code batch}. */
    private static final class Fixture implements AutoCloseable {
        final NDManager manager = NDManager.newBaseManager(Device.cpu());
        final DeviceData data = DeviceData.of(manager, new Split(x, y, new long[] {IN}));
        final Weights weights = architecture().initialize(manager, 5);
        final HessianVectorProducts h;

        Fixture(int batch) {
            h = new HessianVectorProducts(weights, data, batch);
        }

        @Override
        public void close() {
            h.close();
            manager.close();
        }
    }

    private static Architecture architecture() {
        return Architectures.of(new ModelSpec(ModelSpec.MLP, List.of(HIDDEN), null), new long[] {IN}, OUT);
    }

    private static double[] flat(Map<String, NDArray> tensors) {
        List<Double> values = new ArrayList<>();
        tensors.values().forEach(t -> {
            for (float f : t.toFloatArray()) {
                values.add((double) f);
            }
        });
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] shift(int i, double a, int j, double b) {
        double[] t = theta.clone();
        t[i] += a;
        t[j] += b;
        return t;
    }

    /** The mean cross-entropy of relu(x·W1ᵀ + b1)·W2ᵀ + b2, in PyTorch's layout: W1 [3, 4], b1, W2 [2, 3], b2. */
    private static double loss(double[] t) {
        double sum = 0;
        for (int n = 0; n < N; n++) {
            double[] hidden = hidden(t, n);
            double[] logits = new double[OUT];
            int w2 = HIDDEN * IN + HIDDEN;
            int b2 = w2 + OUT * HIDDEN;
            double max = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < OUT; o++) {
                logits[o] = t[b2 + o];
                for (int k = 0; k < HIDDEN; k++) {
                    logits[o] += t[w2 + o * HIDDEN + k] * Math.max(0, hidden[k]);
                }
                max = Math.max(max, logits[o]);
            }
            double z = 0;
            for (double l : logits) {
                z += Math.exp(l - max);
            }
            sum += max + Math.log(z) - logits[y[n]];
        }
        return sum / N;
    }

    private static double[] hidden(double[] t, int n) {
        double[] h = new double[HIDDEN];
        for (int k = 0; k < HIDDEN; k++) {
            h[k] = t[HIDDEN * IN + k];
            for (int i = 0; i < IN; i++) {
                h[k] += t[k * IN + i] * x[n * IN + i];
            }
        }
        return h;
    }

    private static double smallestPreActivation(double[] t) {
        double smallest = Double.POSITIVE_INFINITY;
        for (int n = 0; n < N; n++) {
            for (double h : hidden(t, n)) {
                smallest = Math.min(smallest, Math.abs(h));
            }
        }
        return smallest;
    }
}
