package dev.valley.worker.science.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.TrainResult;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.grid.GridMetrics;
import dev.valley.worker.science.grid.LinearFirstLayerEvaluator;
import dev.valley.worker.science.grid.PerPointEvaluator;
import dev.valley.worker.science.grid.Plane;
import dev.valley.worker.science.grid.PointEvaluator;
import dev.valley.worker.science.train.MinibatchLoop;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.TrainingRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bf16 passes against float32, the second method: bfloat16 keeps 8 significant bits, so each product or sum is
 * within 2⁻⁸ of its float32 value, relative; a few layers deep the logits stay within a few times that of the
 * largest logit, and the gradient within a few per cent. The bounds are loose enough for bf16, and the tests also
 * ask for a difference from float32, so that a pass which quietly stayed float32 fails. On the CPU only MLPs: their
 * matrix products are right in bf16 there, where libtorch 2.7.1's AVX-512 convolutions are not ({@link Autocast}),
 * so the tests run on the CPU what a CUDA worker runs.
 */
class AutocastTest {
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final double BF16_EPSILON = Math.pow(2, -8);
    private final Device cpu = Device.cpu();

    @Test
    void logitsAndGradientsStayWithinBf16OfFloat32AndTheWeightsStayFloat32() {
        DatasetSplits data = FashionMnist.load(FASHION_MNIST).withTrainSubset(256, 1);
        Architecture mlp = Architectures.of(new ModelSpec("mlp", List.of(64, 32), null), data.sampleShape(),
                data.classes());
        try (NDManager manager = NDManager.newBaseManager(cpu);
                DeviceData train = DeviceData.of(manager, data.train());
                Autocast autocast = Autocast.load(manager);
                Weights weights = mlp.initialize(manager, 1)) {
            NDArray x = train.x();
            NDArray y = train.labels();
            float[] exact;
            float[] exactGradient;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = mlp.forward(weights, x, Mode.TRAIN);
                exact = logits.toFloatArray();
                collector.backward(MinibatchLoop.loss(logits, y));
            }
            exactGradient = weights.get("layers.0.weight").getGradient().toFloatArray();
            weights.get("layers.0.weight").getGradient().muli(0);
            float[] low;
            float[] lowGradient;
            try (NDManager step = manager.newSubManager(); GradientCollector collector =
                    Engine.getInstance().newGradientCollector()) {
                NDArray xs = x.get(step, new NDIndex());
                NDArray logits = autocast.forward(weights, xs, Mode.TRAIN);
                assertThat(logits.getDataType()).isEqualTo(DataType.FLOAT32);
                low = logits.toFloatArray();
                collector.backward(MinibatchLoop.loss(logits, y));
            }
            lowGradient = weights.get("layers.0.weight").getGradient().toFloatArray();
            double largest = 0;
            double worst = 0;
            for (int i = 0; i < exact.length; i++) {
                largest = Math.max(largest, Math.abs(exact[i]));
                worst = Math.max(worst, Math.abs(low[i] - exact[i]));
            }
            assertThat(worst).as("largest logit difference, largest logit %s", largest)
                    .isLessThan(4 * BF16_EPSILON * largest).isGreaterThan(1e-3 * BF16_EPSILON * largest);
            double difference = 0;
            double norm = 0;
            for (int i = 0; i < exactGradient.length; i++) {
                difference += Math.pow(lowGradient[i] - exactGradient[i], 2);
                norm += Math.pow(exactGradient[i], 2);
            }
            assertThat(Math.sqrt(difference / norm)).as("relative L2 difference of the first layer's gradient")
                    .isLessThan(0.05).isGreaterThan(1e-4);
            assertThat(weights.get("layers.0.weight").getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(weights.get("layers.0.weight").getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    /** Both grid evaluators in bf16 against the per-point loop in float32, point by point. */
    @Test
    void gridPointsInBf16StayWithinItsPrecisionOfFloat32() {
        DatasetSplits data = FashionMnist.load(FASHION_MNIST).withTrainSubset(256, 1).withTestSubset(128, 1);
        Architecture mlp = Architectures.of(new ModelSpec("mlp", List.of(32, 16), null), data.sampleShape(),
                data.classes());
        GridMetrics metrics = new GridMetrics(GridMetrics.all());
        try (NDManager manager = NDManager.newBaseManager(cpu);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test());
                Autocast autocast = Autocast.load(manager);
                Weights w2 = mlp.initialize(manager, 2);
                Weights w3 = mlp.initialize(manager, 3);
                Plane plane = Plane.points(mlp.initialize(manager, 1), w2, w3, List.of("a", "b", "c"));
                PointEvaluator fast = new LinearFirstLayerEvaluator(plane, train, test, metrics, true, 64, 100)
                        .autocast(autocast);
                PointEvaluator plain = new PerPointEvaluator(plane, train, test, metrics, true, 64, 100)
                        .autocast(autocast);
                PointEvaluator exact = new PerPointEvaluator(plane, train, test, metrics, true, 64, 100)) {
            double largestLossDifference = 0;
            for (double y : new double[] {-0.2, 0.7}) {
                fast.beginRow(y);
                plain.beginRow(y);
                exact.beginRow(y);
                for (double x : new double[] {0, 0.5, 1.3}) {
                    double[] a = fast.at(x);
                    double[] b = plain.at(x);
                    double[] e = exact.at(x);
                    for (int m = 0; m < e.length; m++) {
                        String metric = metrics.names().get(m);
                        if (metric.endsWith("loss")) {
                            for (double[] bf16 : new double[][] {a, b}) {
                                assertThat(bf16[m]).as("%s at (%s, %s)", metric, x, y)
                                        .isCloseTo(e[m], org.assertj.core.api.Assertions.within(
                                                8 * BF16_EPSILON * Math.abs(e[m])));
                                largestLossDifference = Math.max(largestLossDifference, Math.abs(bf16[m] - e[m]));
                            }
                        } else {
                            // A few of 128 or 256 predictions may flip where two logits are within bf16 of each other.
                            assertThat(a[m]).as("%s at (%s, %s)", metric, x, y)
                                    .isCloseTo(e[m], org.assertj.core.api.Assertions.within(0.04));
                            assertThat(b[m]).isCloseTo(e[m], org.assertj.core.api.Assertions.within(0.04));
                        }
                    }
                }
            }
            assertThat(largestLossDifference).as("bf16 really ran").isGreaterThan(1e-6);
        }
    }

    /**
     * A train job in bf16 learns as the float32 one does (spirals, seeded: the same batches), reports float32 test
     * figures of its float32 weights, and differs from it in the last digits; a network with convolutions is refused
     * on a CPU, with the field and the reason.
     */
    @Test
    void aTrainJobInBf16LearnsAsFloat32DoesAndConvolutionsAreRefusedOnACpu() {
        DatasetCatalog catalog = new DatasetCatalog(FASHION_MNIST);
        TrainSpec fp32 = new TrainSpec("spirals", new ModelSpec("mlp", List.of(32, 32), null), 60, 64, 0.1, 0.9, 0.0,
                3L, null, null, null, null, "fp32");
        TrainSpec bf16 = new TrainSpec("spirals", new ModelSpec("mlp", List.of(32, 32), null), 60, 64, 0.1, 0.9, 0.0,
                3L, null, null, null, null, "bf16");
        TrainResult exact = new TrainingRun(catalog).run(fp32, cpu, TrainingListener.NONE).result();
        TrainResult low = new TrainingRun(catalog).run(bf16, cpu, TrainingListener.NONE).result();
        assertThat(exact.testAccuracy()).isGreaterThan(0.8);
        assertThat(low.testAccuracy()).isCloseTo(exact.testAccuracy(), org.assertj.core.api.Assertions.within(0.05));
        assertThat(low.testLoss()).isCloseTo(exact.testLoss(),
                org.assertj.core.api.Assertions.within(0.25 * exact.testLoss()));
        assertThat(low.history().get(0).trainLoss()).isNotEqualTo(exact.history().get(0).trainLoss());
        TrainSpec vgg = new TrainSpec("fashion-mnist", new ModelSpec("vgg", null, List.of(4)), 1, 64, 0.1, 0.9, 0.0,
                3L, 256, null, null, null, "bf16");
        assertThatThrownBy(() -> new TrainingRun(catalog).run(vgg, cpu, TrainingListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("precision: bf16 runs on CUDA, and on a CPU only for mlp");
    }

    @Test
    void aTorchScriptModuleIsRefusedWithTheField() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(cpu)) {
            byte[] archive;
            try (var in = getClass().getResourceAsStream("/torchscript/resnet.pt")) {
                archive = in.readAllBytes();
            }
            Architecture module = TorchScriptNetwork.load(archive, manager, java.util.Map.of());
            assertThatThrownBy(() -> Autocast.forPrecision("bf16", module, manager))
                    .hasMessageStartingWith("precision: bf16 is for the built-in architectures");
            assertThat(Autocast.forPrecision("fp32", module, manager)).isNull();
        }
    }
}
