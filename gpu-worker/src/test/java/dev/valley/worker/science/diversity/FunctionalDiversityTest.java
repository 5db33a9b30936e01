package dev.valley.worker.science.diversity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.Diversity;
import dev.valley.worker.science.data.DeviceData;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Disagreement, Jensen–Shannon divergence and the ensemble on hand-made predictions: two members that are sure of
 * their classes (one-hot) and one that always says [0.5, 0.3, 0.2], on four examples of labels [0, 1, 2, 0].
 */
class FunctionalDiversityTest {
    private static final int[] LABELS = {0, 1, 2, 0};
    private static final double[][] SURE = oneHot(new int[] {0, 1, 2, 0});
    private static final double[][] OTHER = oneHot(new int[] {0, 2, 1, 2});
    private static final double[][] SOFT = {{0.5, 0.3, 0.2}, {0.5, 0.3, 0.2}, {0.5, 0.3, 0.2}, {0.5, 0.3, 0.2}};

    @Test
    void handMadePredictions() {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            long[] labels = {0, 1, 2, 0};
            DeviceData data = new DeviceData(manager.zeros(new Shape(4, 1)), manager.create(labels, new Shape(4, 1)),
                    4);
            Diversity d = FunctionalDiversity.of(List.of("sure", "other", "soft"),
                    List.of(array(manager, SURE), array(manager, OTHER), array(manager, SOFT)), data);
            // Predicted classes: sure [0, 1, 2, 0], other [0, 2, 1, 2], soft [0, 0, 0, 0].
            assertThat(d.disagreement().get(0)).containsExactly(0.0, 0.75, 0.5);
            assertThat(d.disagreement().get(1)).containsExactly(0.75, 0.0, 0.75);
            assertThat(d.meanDisagreement()).isCloseTo((0.75 + 0.5 + 0.75) / 3, within(1e-12));
            // Two sure members: JS is ln 2 where they differ (3 of 4 examples) and 0 where they agree.
            assertThat(d.jensenShannon().get(0).get(1)).isCloseTo(0.75 * Math.log(2), within(1e-9));
            // A sure member against [0.5, 0.3, 0.2], by the definition, example by example (the inputs are float32).
            assertThat(d.jensenShannon().get(0).get(2)).isCloseTo(js(SURE, SOFT), within(1e-7));
            assertThat(d.jensenShannon().get(2).get(1)).isCloseTo(js(OTHER, SOFT), within(1e-7));
            assertThat(d.jensenShannon().get(2).get(2)).isZero();
            assertThat(d.accuracy()).containsExactly(1.0, 0.25, 0.5);
            // NLL: the sure member is right with probability 1; the soft one gives the labels 0.5, 0.3, 0.2, 0.5.
            assertThat(d.loss().get(0)).isCloseTo(0, within(1e-6));
            assertThat(d.loss().get(2)).isCloseTo(-(2 * Math.log(0.5) + Math.log(0.3) + Math.log(0.2)) / 4,
                    within(1e-6));
            // The ensemble's mean: [2.5, .3, .2]/3, [.5, 1.3, 1.2]/3, [.5, 1.3, 1.2]/3 (wrong), [1.5, .3, 1.2]/3.
            assertThat(d.ensembleAccuracy()).isEqualTo(0.75);
            assertThat(d.ensembleLoss()).isCloseTo(-(Math.log(2.5 / 3) + Math.log(1.3 / 3) + Math.log(1.2 / 3)
                    + Math.log(1.5 / 3)) / 4, within(1e-6));
            // Mean disagreement with the others over the member's error: none for sure, (.75+.75)/2/.75, (.5+.75)/2/.5.
            assertThat(d.normalisedDisagreement().get(0)).isNull();
            assertThat(d.normalisedDisagreement().get(1)).isCloseTo(1.0, within(1e-12));
            assertThat(d.normalisedDisagreement().get(2)).isCloseTo(1.25, within(1e-12));
            assertThat(d.examples()).isEqualTo(LABELS.length);
        }
    }

    /** (1/N) Σ_n H(m) − (H(p) + H(q))/2, in plain double loops. */
    private static double js(double[][] p, double[][] q) {
        double sum = 0;
        for (int n = 0; n < p.length; n++) {
            double[] m = new double[p[n].length];
            for (int c = 0; c < m.length; c++) {
                m[c] = (p[n][c] + q[n][c]) / 2;
            }
            sum += entropy(m) - (entropy(p[n]) + entropy(q[n])) / 2;
        }
        return sum / p.length;
    }

    private static double entropy(double[] p) {
        double h = 0;
        for (double v : p) {
            h -= v > 0 ? v * Math.log(v) : 0;
        }
        return h;
    }

    private static double[][] oneHot(int[] classes) {
        double[][] p = new double[classes.length][3];
        for (int n = 0; n < classes.length; n++) {
            p[n][classes[n]] = 1;
        }
        return p;
    }

    private static NDArray array(NDManager manager, double[][] p) {
        float[] flat = new float[p.length * 3];
        for (int n = 0; n < p.length; n++) {
            for (int c = 0; c < 3; c++) {
                flat[n * 3 + c] = (float) p[n][c];
            }
        }
        return manager.create(flat, new Shape(p.length, 3));
    }
}
