package dev.valley.worker.science.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A trajectory's principal components against a second method: the P × P covariance of the centred differences,
 * formed in plain double loops, and its top eigenvectors by power iteration with deflation (where the code under
 * test takes the T × T Gram matrix's eigenvectors by Jacobi rotations, on the device). And the Jacobi solver itself
 * against the definition, A v = λ v.
 */
class TrajectoryPcaTest {
    private static final long[][] SHAPES = {{3, 4}, {5}};

    @Test
    void jacobiGivesEigenpairsLargestFirst() {
        SplittableRandom random = new SplittableRandom(7);
        int n = 6;
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                a[i][j] = random.nextDouble(-1, 1);
                a[j][i] = a[i][j];
            }
        }
        SymmetricEigen e = SymmetricEigen.of(a);
        double trace = 0;
        for (int k = 0; k < n; k++) {
            trace += a[k][k];
            double[] v = e.vectors()[k];
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int j = 0; j < n; j++) {
                    av += a[i][j] * v[j];
                }
                assertThat(av).isCloseTo(e.values()[k] * v[i], within(1e-12));
            }
            assertThat(dot(v, v)).isCloseTo(1, within(1e-12));
            if (k > 0) {
                assertThat(e.values()[k]).isLessThanOrEqualTo(e.values()[k - 1]);
                assertThat(dot(v, e.vectors()[0])).isCloseTo(0, within(1e-12));
            }
        }
        assertThat(java.util.Arrays.stream(e.values()).sum()).isCloseTo(trace, within(1e-12));
        // By hand: [[2, 1], [1, 2]] has 3 along (1, 1)/√2 and 1 along (1, −1)/√2.
        SymmetricEigen two = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}});
        assertThat(two.values()).containsExactly(new double[] {3, 1}, within(1e-15));
        assertThat(Math.abs(two.vectors()[0][0])).isCloseTo(Math.sqrt(0.5), within(1e-15));
    }

    @Test
    void componentsRatiosAndCoordinatesEqualTheCovariancesEigenvectors() {
        SplittableRandom random = new SplittableRandom(11);
        int t = 8;
        List<float[]> flat = new ArrayList<>();
        for (int i = 0; i < t; i++) {
            float[] w = new float[17];
            for (int p = 0; p < w.length; p++) {
                // A drift along the index, noise on top: two unequal leading directions.
                w[p] = (float) (0.3 * i * Math.cos(p) + 0.1 * i * i * Math.sin(2 * p) / t + 0.02 * random.nextGaussian());
            }
            flat.add(w);
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            List<Map<String, NDArray>> steps = new ArrayList<>();
            flat.forEach(w -> steps.add(tensors(manager, w)));
            TrajectoryPca.Result r = TrajectoryPca.of(steps, steps.get(t - 1), manager);

            // The second method: X_i = w_i − w (float32 subtraction, as on the device), centred; C = X̃ᵀX̃.
            int p = 17;
            double[][] x = new double[t][p];
            double[] mean = new double[p];
            for (int i = 0; i < t; i++) {
                for (int k = 0; k < p; k++) {
                    x[i][k] = flat.get(i)[k] - flat.get(t - 1)[k];
                    mean[k] += x[i][k] / t;
                }
            }
            double[][] c = new double[p][p];
            for (int i = 0; i < t; i++) {
                for (int a = 0; a < p; a++) {
                    for (int b = 0; b < p; b++) {
                        c[a][b] += (x[i][a] - mean[a]) * (x[i][b] - mean[b]);
                    }
                }
            }
            double trace = 0;
            for (int a = 0; a < p; a++) {
                trace += c[a][a];
            }
            double[] d1 = flatten(r.d1());
            double[] d2 = flatten(r.d2());
            double[] e1 = powerIteration(c, null);
            double[] e2 = powerIteration(c, e1);
            assertThat(Math.abs(dot(d1, e1))).isCloseTo(1, within(1e-6));
            assertThat(Math.abs(dot(d2, e2))).isCloseTo(1, within(1e-6));
            assertThat(r.ratio()[0]).isCloseTo(rayleigh(c, e1) / trace, within(1e-9));
            assertThat(r.ratio()[1]).isCloseTo(rayleigh(c, e2) / trace, within(1e-9));
            assertThat(r.ratio()[0] + r.ratio()[1]).isLessThanOrEqualTo(1);
            for (int i = 0; i < t; i++) {
                assertThat(r.coordinates()[i][0]).isCloseTo(dot(x[i], d1), within(1e-5));
                assertThat(r.coordinates()[i][1]).isCloseTo(dot(x[i], d2), within(1e-5));
            }
            // The signs put the first network at c ≥ 0; the last is the origin.
            assertThat(r.coordinates()[0][0]).isPositive();
            assertThat(r.coordinates()[0][1]).isGreaterThanOrEqualTo(0);
            assertThat(r.coordinates()[t - 1]).containsExactly(0, 0);
        }
    }

    @Test
    void aPathInAPlaneIsAllExplainedAndALineHasNoSecondDirection() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            List<Map<String, NDArray>> planar = new ArrayList<>();
            List<Map<String, NDArray>> straight = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                float[] w = new float[17];
                float[] l = new float[17];
                for (int p = 0; p < w.length; p++) {
                    w[p] = (float) (i * (p % 3 == 0 ? 1 : 0) + i * i * (p % 3 == 1 ? 0.25 : 0));
                    l[p] = (float) (i * 0.5 * p);
                }
                planar.add(tensors(manager, w));
                straight.add(tensors(manager, l));
            }
            TrajectoryPca.Result r = TrajectoryPca.of(planar, planar.get(4), manager);
            assertThat(r.ratio()[0] + r.ratio()[1]).isCloseTo(1, within(1e-9));
            assertThatThrownBy(() -> TrajectoryPca.of(straight, straight.get(4), manager))
                    .hasMessageContaining("one direction only");
        }
    }

    private static Map<String, NDArray> tensors(NDManager manager, float[] flat) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("layers.0.weight", manager.create(java.util.Arrays.copyOfRange(flat, 0, 12), new Shape(SHAPES[0])));
        tensors.put("layers.0.bias", manager.create(java.util.Arrays.copyOfRange(flat, 12, 17), new Shape(SHAPES[1])));
        return tensors;
    }

    private static double[] flatten(Map<String, NDArray> d) {
        double[] out = new double[17];
        int k = 0;
        for (NDArray a : d.values()) {
            for (float v : a.toFloatArray()) {
                out[k++] = v;
            }
        }
        return out;
    }

    /** The top eigenvector of C (of C with {@code deflate}'s component removed), by 10,000 multiplications. */
    private static double[] powerIteration(double[][] c, double[] deflate) {
        int n = c.length;
        double[] v = new double[n];
        java.util.Arrays.fill(v, 1);
        for (int it = 0; it < 10_000; it++) {
            if (deflate != null) {
                double d = dot(v, deflate);
                for (int i = 0; i < n; i++) {
                    v[i] -= d * deflate[i];
                }
            }
            double[] next = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    next[i] += c[i][j] * v[j];
                }
            }
            double norm = Math.sqrt(dot(next, next));
            for (int i = 0; i < n; i++) {
                v[i] = next[i] / norm;
            }
        }
        return v;
    }

    private static double rayleigh(double[][] c, double[] v) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v.length; j++) {
                s += v[i] * c[i][j] * v[j];
            }
        }
        return s;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
