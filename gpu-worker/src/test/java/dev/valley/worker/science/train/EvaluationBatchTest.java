package dev.valley.worker.science.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.Spirals;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Weights;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Evaluation batches are sized from the widest intermediate tensor (sizes worked out here by hand from each
 * network's layout), and the batch size changes the metrics only in rounding: a split evaluated in batches of 7 and
 * in one batch must agree.
 */
class EvaluationBatchTest {
    private static final long[] FASHION = {1, 28, 28};
    private static final long[] IMAGES32 = {3, 32, 32};

    @AfterEach
    void unconfigure() {
        EvaluationBatch.configure(0);
    }

    private static Architecture network(ModelSpec spec, long[] input) {
        return Architectures.of(spec, input, 10);
    }

    @Test
    void theWidestActivationSetsTheBatch() {
        Architecture preresnet = network(new ModelSpec(ModelSpec.PRERESNET, null, null, 20, true), FASHION);
        Architecture vgg32 = network(new ModelSpec(ModelSpec.VGG, null, List.of(32, 64)), IMAGES32);
        Architecture mlp = network(new ModelSpec(ModelSpec.MLP, List.of(512, 512), null), FASHION);
        // 16 × 28 × 28 floats of stage 1; 32 × 32 × 32 of vgg's first block; the MLP's widest layer is its input.
        assertThat(preresnet.widestActivation()).isEqualTo(12_544);
        assertThat(vgg32.widestActivation()).isEqualTo(32_768);
        assertThat(mlp.widestActivation()).isEqualTo(784);

        // CPU: 16 MiB ÷ 4 bytes ÷ floats, at most 2,000.
        assertThat(EvaluationBatch.of(preresnet, 784, Device.cpu())).isEqualTo(16 * 1024 * 1024 / 4 / 12_544);
        assertThat(EvaluationBatch.of(vgg32, 3072, Device.cpu())).isEqualTo(128);
        assertThat(EvaluationBatch.of(mlp, 784, Device.cpu())).isEqualTo(2_000);
        // GPU: 1 GiB, at most 65,536.
        assertThat(EvaluationBatch.of(preresnet, 784, Device.gpu())).isEqualTo(21_399);
        assertThat(EvaluationBatch.of(mlp, 784, Device.gpu())).isEqualTo(65_536);
        // Configured: the budget for both.
        EvaluationBatch.configure(1L << 20);
        assertThat(EvaluationBatch.of(vgg32, 3072, Device.cpu())).isEqualTo(8);
        assertThat(EvaluationBatch.of(vgg32, 3072, Device.gpu())).isEqualTo(8);
    }

    @Test
    void aNetworkThatDoesNotKnowItsWidthIsGivenSixtyFourTimesItsInput() {
        Architecture unknown = new Architecture() {
            private final Architecture mlp = network(new ModelSpec(ModelSpec.MLP, List.of(8), null), FASHION);

            @Override
            public List<dev.valley.worker.science.model.TensorSpec> tensors() {
                return mlp.tensors();
            }

            @Override
            public String firstWeight() {
                return null;
            }

            @Override
            public String firstBias() {
                return null;
            }

            @Override
            public ai.djl.ndarray.NDArray first(ai.djl.ndarray.NDArray x, ai.djl.ndarray.NDArray w,
                    ai.djl.ndarray.NDArray b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public ai.djl.ndarray.NDArray rest(Weights w, ai.djl.ndarray.NDArray h, dev.valley.worker.science.model.Mode m) {
                throw new UnsupportedOperationException();
            }

            @Override
            public java.util.Map<String, String> metadata() {
                return java.util.Map.of();
            }

            @Override
            public String describe() {
                return "unknown";
            }
        };
        // 16 MiB ÷ 4 ÷ (3,072 × 64).
        assertThat(EvaluationBatch.of(unknown, 3072, Device.cpu())).isEqualTo(21);
    }

    @Test
    void theMetricsDoNotDependOnTheBatch() {
        DatasetSplits data = Spirals.generate(3);
        Architecture mlp = Architectures.of(new ModelSpec(ModelSpec.MLP, List.of(32), null), data.sampleShape(),
                data.outputs());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                DeviceData test = DeviceData.of(manager, data.test());
                Weights weights = mlp.initialize(manager, 5)) {
            Metrics small = Evaluator.evaluate(weights, test, 7, manager, null).metrics();
            Metrics whole = Evaluator.evaluate(weights, test, test.size(), manager, null).metrics();
            assertThat(small.loss()).isCloseTo(whole.loss(), within(1e-6 * whole.loss()));
            assertThat(small.accuracy()).isEqualTo(whole.accuracy());
            assertThat(whole.loss()).isPositive();
        }
    }
}
