package dev.valley.worker.science.grid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GridScienceTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private final Device cpu = Device.cpu();

    /**
     * The first-layer algebra gives what a full forward at W(x, y) gives, for a Linear first layer (mlp), a first
     * convolution with bias and batch norm recomputed per point (vgg), and one without bias (preresnet): the second
     * method is the plain per-point loop, which builds the weights afresh and runs the whole network.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"mlp", "vgg", "preresnet"})
    void firstLayerAlgebraEqualsAFullForwardAtEveryPoint(String arch) {
        DatasetSplits data = FashionMnist.load(FASHION_MNIST).withTrainSubset(256, 1).withTestSubset(128, 1);
        ModelSpec model = switch (arch) {
            case "mlp" -> new ModelSpec("mlp", List.of(32, 16), null);
            case "vgg" -> new ModelSpec("vgg", null, List.of(4, 8));
            default -> new ModelSpec("preresnet", null, null, 8, true);
        };
        Architecture architecture = Architectures.of(model, data.sampleShape(), data.classes());
        GridMetrics metrics = new GridMetrics(GridMetrics.all());
        try (NDManager manager = NDManager.newBaseManager(cpu);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test());
                Weights w2 = architecture.initialize(manager, 2);
                Weights w3 = architecture.initialize(manager, 3);
                Plane plane = Plane.points(architecture.initialize(manager, 1), w2, w3, List.of("a", "b", "c"));
                PointEvaluator fast = new LinearFirstLayerEvaluator(plane, train, test, metrics, true, 64, 100);
                PointEvaluator plain = new PerPointEvaluator(plane, train, test, metrics, true, 64, 100)) {
            for (double y : new double[] {-0.2, 0.7}) {
                fast.beginRow(y);
                plain.beginRow(y);
                for (double x : new double[] {0, 0.5, 1.3}) {
                    double[] a = fast.at(x);
                    double[] b = plain.at(x);
                    for (int m = 0; m < a.length; m++) {
                        assertThat(a[m]).as("%s %s at (%s, %s)", arch, metrics.names().get(m), x, y)
                                .isCloseTo(b[m], within(1e-4 * Math.abs(b[m]) + 1e-9));
                    }
                }
            }
        }
    }

    /** u = w2 − w1 and v ⟂ u with w3 = w1 + p·u + v; p and the orthogonality checked on host arrays. */
    @Test
    void pointsPlaneIsOrthogonalAndPlacesTheThirdNetwork() {
        Architecture mlp = Architectures.of(new ModelSpec("mlp", List.of(5), null), new long[] {3}, 2);
        try (NDManager manager = NDManager.newBaseManager(cpu);
                Weights w2 = mlp.initialize(manager, 2);
                Weights w3 = mlp.initialize(manager, 3);
                Weights w1Copy = mlp.initialize(manager, 1);
                Plane plane = Plane.points(mlp.initialize(manager, 1), w2, w3, List.of("a", "b", "c"))) {
            double uu = 0;
            double du = 0;
            double uv = 0;
            for (TensorSpec spec : mlp.tensors()) {
                float[] a = w1Copy.get(spec.name()).toFloatArray();
                float[] b = w2.get(spec.name()).toFloatArray();
                float[] c = w3.get(spec.name()).toFloatArray();
                float[] v = plane.v(spec.name()).toFloatArray();
                for (int i = 0; i < a.length; i++) {
                    double u = (double) b[i] - a[i];
                    uu += u * u;
                    du += ((double) c[i] - a[i]) * u;
                    uv += u * v[i];
                }
            }
            assertThat(plane.markers().get(2).x()).isCloseTo(du / uu, within(1e-6));
            assertThat(plane.markers().get(2).y()).isEqualTo(1.0);
            assertThat(uv / uu).isCloseTo(0, within(1e-6));
        }
    }

    /**
     * Filter normalisation (Li et al. 2018): every filter of a direction has the norm of the same filter of the
     * weights; ignored biases are zero; with nothing ignored a bias's direction is the bias itself.
     */
    @Test
    void randomDirectionsAreFilterNormalised() {
        Architecture vgg = Architectures.of(new ModelSpec("vgg", null, List.of(4)), new long[] {1, 8, 8}, 3);
        try (NDManager manager = NDManager.newBaseManager(cpu);
                Plane plane = Plane.random(vgg.initialize(manager, 1), "filter", Set.of("bias", "batchnorm"), 9);
                Plane keep = Plane.random(vgg.initialize(manager, 1), "filter", Set.of(), 9)) {
            for (String name : List.of("features.0.weight", "classifier.weight")) {
                float[] w = plane.origin().get(name).toFloatArray();
                for (NDArray d : List.of(plane.u(name), plane.v(name))) {
                    float[] values = d.toFloatArray();
                    long filters = d.getShape().get(0);
                    int size = (int) (values.length / filters);
                    for (int f = 0; f < filters; f++) {
                        double dn = 0;
                        double wn = 0;
                        for (int i = f * size; i < (f + 1) * size; i++) {
                            dn += values[i] * (double) values[i];
                            wn += w[i] * (double) w[i];
                        }
                        assertThat(Math.sqrt(dn)).as("%s filter %d", name, f).isCloseTo(Math.sqrt(wn), within(1e-5));
                    }
                }
            }
            assertThat(plane.u("features.0.bias").abs().max().getFloat()).isZero();
            assertThat(plane.u("features.1.weight").abs().max().getFloat()).isZero();
            assertThat(keep.u("features.0.bias").toFloatArray())
                    .containsExactly(keep.origin().get("features.0.bias").toFloatArray());
            assertThat(plane.u("features.0.weight").toFloatArray())
                    .isNotEqualTo(plane.v("features.0.weight").toFloatArray());
        }
    }
}
