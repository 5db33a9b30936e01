package dev.valley.worker.science.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.diversity.FunctionalDiversity;
import dev.valley.worker.science.diversity.Functions;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.MinibatchLoop;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * The regression toy and what a regression changes, each against a hand computation: the generator's clusters and
 * noise (its residuals about f have mean 0 and standard deviation {@link RegressionToy#NOISE}, to sampling error),
 * the mean squared error as the training loss (its gradient 2(ŷ − y)/N, by autograd against the closed form) and as
 * the evaluation, the ensemble of predictions, and the functions a linear network draws (w·x + b at every x).
 */
class RegressionScienceTest {

    @Test
    void theToyHasThreeClustersAndItsNoiseAboutTheTarget() {
        DatasetSplits data = RegressionToy.generate();
        assertThat(data.isRegression()).isTrue();
        assertThat(data.outputs()).isEqualTo(1);
        assertThat(data.sampleShape()).containsExactly(1);
        for (Split split : List.of(data.train(), data.test())) {
            double sum = 0;
            double squares = 0;
            int[] perCluster = new int[3];
            for (int i = 0; i < split.size(); i++) {
                double x = split.x()[i];
                int cluster = (int) Math.round(x); // centres -1, 0, 1
                assertThat(Math.abs(x - cluster)).isLessThanOrEqualTo(RegressionToy.HALF_WIDTH + 1e-6);
                perCluster[cluster + 1]++;
                double r = split.targets()[i] - RegressionToy.f(x);
                sum += r;
                squares += r * r;
            }
            int n = split.size();
            assertThat(perCluster).containsExactly(n / 3, n / 3, n / 3);
            double mean = sum / n;
            double sd = Math.sqrt(squares / n - mean * mean);
            // Standard errors: σ/√n ≈ 0.006 for the mean, σ/√(2n) ≈ 0.004 for the deviation; allow 3 of them.
            assertThat(mean).isCloseTo(0, within(3 * RegressionToy.NOISE / Math.sqrt(n)));
            assertThat(sd).isCloseTo(RegressionToy.NOISE, within(3 * RegressionToy.NOISE / Math.sqrt(2.0 * n)));
        }
        // The same data for every job, and a test split that is not the training split.
        assertThat(RegressionToy.generate().train().targets()).containsExactly(data.train().targets());
        assertThat(data.test().x()).isNotEqualTo(data.train().x());
    }

    @Test
    void theLossIsTheMeanSquaredErrorWithItsClosedFormGradient() {
        float[] predicted = {0.5f, -1f, 2f, 0f};
        float[] targets = {1f, -1f, 1.5f, 0.25f};
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray p = manager.create(predicted, new Shape(4, 1));
            NDArray y = manager.create(targets, new Shape(4, 1));
            p.setRequiresGradient(true);
            double loss;
            try (ai.djl.training.GradientCollector collector = ai.djl.engine.Engine.getInstance()
                    .newGradientCollector()) {
                NDArray l = MinibatchLoop.loss(p, y);
                loss = l.getFloat();
                collector.backward(l);
            }
            // (0.25 + 0 + 0.25 + 0.0625) / 4
            assertThat(loss).isCloseTo(0.5625 / 4, within(1e-7));
            float[] gradient = p.getGradient().toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat((double) gradient[i]).isCloseTo(2.0 * (predicted[i] - targets[i]) / 4, within(1e-7));
            }
        }
    }

    @Test
    void evaluationEnsemblesAndFunctionsOfALinearNetwork() throws Exception {
        // hidden [] is one Linear layer 1 → 1: ŷ = w·x + b.
        Split split = Split.regression(new float[] {-1f, 0f, 0.5f, 2f}, new float[] {0f, 1f, 1f, 2f}, new long[] {1});
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                DeviceData data = DeviceData.of(manager, split)) {
            Architecture mlp = Architectures.of(new ModelSpec(ModelSpec.MLP, List.of(), null), new long[] {1}, 1);
            Weights w = Weights.view(mlp, manager.newSubManager(), Map.of(
                    "layers.0.weight", manager.create(new float[] {0.5f}, new Shape(1, 1)),
                    "layers.0.bias", manager.create(new float[] {1f}, new Shape(1))));
            assertThat(data.isRegression()).isTrue();
            // ŷ = 0.5, 1, 1.25, 2: squared errors 0.25, 0, 0.0625, 0.
            Evaluator.Evaluation e = Evaluator.evaluate(w, data, manager);
            assertThat(e.metrics().loss()).isCloseTo(0.3125 / 4, within(1e-7));
            assertThat(e.metrics().accuracy()).isNaN();
            assertThat(e.metrics().reportedAccuracy()).isNull();
            assertThat(e.probabilities().toFloatArray()).containsExactly(0.5f, 1f, 1.25f, 2f);
            // Two members, ŷ and ŷ + 1: the ensemble predicts ŷ + 0.5 = 1, 1.5, 1.75, 2.5, errors 1, 0.5, 0.75, 0.5.
            NDArray mean = e.probabilities().add(e.probabilities().add(1)).div(2);
            Metrics ensemble = Evaluator.ensemble(mean, data);
            assertThat(ensemble.loss()).isCloseTo((1 + 0.25 + 0.5625 + 0.25) / 4, within(1e-7));
            assertThat(ensemble.accuracy()).isNaN();
            // A regression has no classes to disagree on.
            assertThat(FunctionalDiversity.of(List.of("a", "b"), List.of(e.probabilities(), mean), data)).isNull();

            try (Functions.Inputs inputs = Functions.inputs(split, manager)) {
                // The inputs' range [-1, 2] widened by a quarter of its width on each side.
                assertThat(inputs.x()).hasSize(Functions.POINTS);
                assertThat(inputs.x()[0]).isCloseTo(-1.75, within(1e-12));
                assertThat(inputs.x()[Functions.POINTS - 1]).isCloseTo(2.75, within(1e-12));
                double[] predictions = Functions.predict(w, inputs);
                for (int i = 0; i < predictions.length; i++) {
                    assertThat(predictions[i]).isCloseTo(0.5 * (float) inputs.x()[i] + 1, within(1e-6));
                }
                Map<String, byte[]> files = Functions.files(List.of("w", "w again"), inputs,
                        List.of(predictions, predictions), split);
                assertThat(files.keySet()).containsExactly(Functions.NPZ, Functions.PNG);
                assertThat(entries(files.get(Functions.NPZ))).containsExactly("x.npy", "predictions.npy",
                        "train_x.npy", "train_y.npy");
                assertThat(files.get(Functions.PNG)).startsWith(0x89, 'P', 'N', 'G');
            }
            // A classification split is no function to draw; a regression on 1-D inputs is.
            assertThat(Functions.drawable(split)).isTrue();
            assertThat(Functions.drawable(new Split(new float[] {0f, 1f}, new int[] {0, 1}, new long[] {1})))
                    .isFalse();
            assertThat(mlp.forward(w, data.x(), Mode.EVAL).getShape()).isEqualTo(new Shape(4, 1));
        }
    }

    private static List<String> entries(byte[] npz) throws Exception {
        List<String> names = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(npz))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
