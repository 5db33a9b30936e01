package dev.valley.worker.science.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The swap of two units (Brea et al. 2019) on every built-in architecture, against host-side index arithmetic: the
 * swapped network holds unit j's slices where unit i's were, on every axis of the group, and is the same function
 * (logits equal to float32 rounding); the path's midpoint makes the two units one; the most similar and most
 * different pairs are the brute-force extremes of all pairwise distances, in float64 on the host.
 */
class UnitSwapTest {

    @Test
    void aSwapTransposesTheUnitsOnEveryAxisKeepsTheFunctionAndItsMidpointMakesThemOne() {
        for (ModelSpec model : WeightMatchingTest.MODELS) {
            Architecture architecture = Architectures.of(model, WeightMatchingTest.DATA.sampleShape(),
                    WeightMatchingTest.DATA.classes());
            PermutationSpec spec = architecture.permutations();
            SplittableRandom random = new SplittableRandom(4);
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                    Weights theta = WeightMatchingTest.network(architecture, manager, 3)) {
                NDArray x = manager.create(WeightMatchingTest.DATA.test().select(new int[] {0, 1, 2, 3, 4, 5}).x(),
                        new Shape(6, 1, 28, 28));
                for (PermutationSpec.Group g : spec.groups()) {
                    int i = random.nextInt(g.size());
                    int j = (i + 1 + random.nextInt(g.size() - 1)) % g.size();
                    String what = architecture.describe() + " " + g.name() + " units " + i + ", " + j;
                    try (Weights swapped = UnitSwap.swapped(theta, spec, g, i, j, manager)) {
                        assertThat(difference(logits(theta, x), logits(swapped, x))).as(what)
                                .isLessThanOrEqualTo(1e-5);
                        for (PermutationSpec.Axis axis : g.axes()) {
                            double[] before = host(theta.get(axis.tensor()));
                            double[] after = host(swapped.get(axis.tensor()));
                            long[] shape = theta.get(axis.tensor()).getShape().getShape();
                            for (int unit = 0; unit < g.size(); unit++) {
                                int from = unit == i ? j : unit == j ? i : unit;
                                assertThat(slice(after, shape, axis, unit)).as("%s %s unit %d", what, axis.tensor(), unit)
                                        .containsExactly(slice(before, shape, axis, from));
                            }
                            // W(½) = (θ + π θ)/2: units i and j coincide there.
                            double[] middle = new double[before.length];
                            for (int k = 0; k < middle.length; k++) {
                                middle[k] = (before[k] + after[k]) / 2;
                            }
                            assertThat(slice(middle, shape, axis, i)).as("%s %s midpoint", what, axis.tensor())
                                    .containsExactly(slice(middle, shape, axis, j));
                        }
                        // Nothing outside the group's axes moves.
                        for (TensorSpec t : architecture.tensors()) {
                            if (spec.byTensor().containsKey(t.name())) {
                                continue;
                            }
                            assertThat(host(swapped.get(t.name()))).as("%s %s", what, t.name())
                                    .containsExactly(host(theta.get(t.name())));
                        }
                    }
                }
            }
        }
    }

    @Test
    void theMostSimilarAndMostDifferentPairsAreTheBruteForceExtremes() {
        for (ModelSpec model : WeightMatchingTest.MODELS) {
            Architecture architecture = Architectures.of(model, WeightMatchingTest.DATA.sampleShape(),
                    WeightMatchingTest.DATA.classes());
            PermutationSpec spec = architecture.permutations();
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                    Weights theta = WeightMatchingTest.network(architecture, manager, 7)) {
                for (PermutationSpec.Group g : spec.groups()) {
                    double[][] a = incoming(theta, g);
                    int[] near = null;
                    int[] far = null;
                    double nearest = Double.POSITIVE_INFINITY;
                    double farthest = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < a.length; i++) {
                        for (int j = i + 1; j < a.length; j++) {
                            double d = 0;
                            for (int k = 0; k < a[i].length; k++) {
                                d += (a[i][k] - a[j][k]) * (a[i][k] - a[j][k]);
                            }
                            d = Math.sqrt(d);
                            if (d < nearest) {
                                nearest = d;
                                near = new int[] {i, j};
                            }
                            if (d > farthest) {
                                farthest = d;
                                far = new int[] {i, j};
                            }
                        }
                    }
                    String what = architecture.describe() + " " + g.name();
                    // A whole matrix at once, and three rows at a time: the blocks must not change the answer.
                    for (long block : new long[] {1L << 22, 3L * g.size()}) {
                        UnitSwap.Pair similar = UnitSwap.extreme(theta, g, false, block);
                        UnitSwap.Pair different = UnitSwap.extreme(theta, g, true, block);
                        assertThat(new int[] {similar.i(), similar.j()}).as(what).containsExactly(near);
                        assertThat(new int[] {different.i(), different.j()}).as(what).containsExactly(far);
                        assertThat(similar.distance()).as(what).isCloseTo(nearest, within(1e-9 * farthest));
                        assertThat(different.distance()).as(what).isCloseTo(farthest, within(1e-9 * farthest));
                    }
                    UnitSwap.Pair given = UnitSwap.pair(theta, g, far[1], far[0]);
                    assertThat(given.distance()).as(what).isCloseTo(farthest, within(1e-9 * farthest));
                }
            }
        }
    }

    @Test
    void aUnitOutOfRangeOrTwiceIsRefused() {
        Architecture mlp = Architectures.of(new ModelSpec("mlp", List.of(8), null), new long[] {3}, 2);
        try (NDManager manager = NDManager.newBaseManager(Device.cpu()); Weights theta = mlp.initialize(manager, 1)) {
            PermutationSpec.Group g = mlp.permutations().group("layers.0");
            assertThatThrownBy(() -> UnitSwap.pair(theta, g, 0, 8)).hasMessageContaining("unit 8 is out of range")
                    .hasMessageContaining("layers.0 has 8 units");
            assertThatThrownBy(() -> UnitSwap.pair(theta, g, 3, 3)).hasMessageContaining("two different units");
        }
    }

    private static float[] logits(Weights w, NDArray x) {
        try (NoGrad noGrad = NoGrad.enter()) {
            return w.architecture().forward(w, x, Mode.EVAL).toFloatArray();
        }
    }

    private static double difference(float[] a, float[] b) {
        double largest = 0;
        double worst = 0;
        for (int k = 0; k < a.length; k++) {
            largest = Math.max(largest, Math.abs(a[k]));
            worst = Math.max(worst, Math.abs(a[k] - b[k]));
        }
        return worst / largest;
    }

    private static double[] host(NDArray t) {
        return t.getDataType() == DataType.INT64 ? new double[0] : t.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    /** Every entry whose index along the axis belongs to {@code unit} (expand consecutive ones), in row-major order. */
    private static double[] slice(double[] values, long[] shape, PermutationSpec.Axis axis, int unit) {
        long inner = 1;
        for (int d = axis.axis() + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long length = shape[axis.axis()];
        List<Double> out = new ArrayList<>();
        for (int k = 0; k < values.length; k++) {
            long along = (k / inner) % length;
            if (along / axis.expand() == unit) {
                out.add(values[k]);
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Each unit's slices of the group's parameters on their output axis, concatenated: [n][features]. */
    private static double[][] incoming(Weights theta, PermutationSpec.Group g) {
        double[][] a = new double[g.size()][];
        for (int unit = 0; unit < g.size(); unit++) {
            List<Double> row = new ArrayList<>();
            for (PermutationSpec.Axis axis : g.axes()) {
                boolean parameter = theta.architecture().tensors().stream()
                        .anyMatch(t -> t.name().equals(axis.tensor()) && t.isParameter());
                if (axis.axis() == 0 && parameter) {
                    NDArray t = theta.get(axis.tensor());
                    for (double v : slice(host(t), t.getShape().getShape(), axis, unit)) {
                        row.add(v);
                    }
                }
            }
            a[unit] = row.stream().mapToDouble(Double::doubleValue).toArray();
        }
        return a;
    }
}
