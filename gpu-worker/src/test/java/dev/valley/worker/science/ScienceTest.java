package dev.valley.worker.science;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.data.Spirals;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Mlp;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.DivergedException;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Sgd;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.TrainingRun;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class ScienceTest {
    private final Device cpu = Device.cpu();

    /** Three SGD steps on loss = sum(p * x), whose gradient is x, the third at a new rate, against
     * torch.optim.SGD's update by hand. */
    @Test
    void sgdMatchesTorchUpdateRuleByHand() {
        float p0 = 1.0f, x = 2.0f, lr = 0.1f, mu = 0.9f, wd = 0.01f, lr3 = 0.04f;
        float b1 = x + wd * p0;
        float p1 = p0 - lr * b1;
        float b2 = mu * b1 + x + wd * p1;
        float p2 = p1 - lr * b2;
        float b3 = mu * b2 + x + wd * p2;
        float p3 = p2 - lr3 * b3;
        try (NDManager manager = NDManager.newBaseManager(cpu)) {
            NDArray p = manager.create(new float[] {p0});
            p.setRequiresGradient(true);
            NDArray input = manager.create(new float[] {x});
            try (Sgd sgd = new Sgd(List.of(p), manager, lr, mu, wd)) {
                for (int i = 0; i < 3; i++) {
                    if (i == 2) {
                        assertThat(p.getFloat(0)).isCloseTo(p2, within(1e-6f));
                        sgd.setLearningRate(lr3);
                    }
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        collector.backward(p.mul(input).sum());
                    }
                    try (NoGrad noGrad = NoGrad.enter()) {
                        sgd.step();
                    }
                }
            }
            assertThat(p.getFloat(0)).isCloseTo(p3, within(1e-6f));
        }
    }

    /** Logits of a 2-3-2 MLP equal the same network computed by hand in plain Java. */
    @Test
    void mlpForwardEqualsPlainJava() {
        float[] w0 = {0.5f, -1f, 2f, 0.25f, -0.5f, 1f};
        float[] b0 = {0.1f, -0.2f, 0.3f};
        float[] w1 = {1f, -1f, 0.5f, 2f, 0.5f, -0.25f};
        float[] b1 = {0.05f, -0.05f};
        float[] input = {1.5f, -2f};
        float[] hidden = new float[3];
        for (int o = 0; o < 3; o++) {
            hidden[o] = Math.max(0, w0[2 * o] * input[0] + w0[2 * o + 1] * input[1] + b0[o]);
        }
        float[] expected = new float[2];
        for (int o = 0; o < 2; o++) {
            expected[o] = w1[3 * o] * hidden[0] + w1[3 * o + 1] * hidden[1] + w1[3 * o + 2] * hidden[2] + b1[o];
        }
        Mlp mlp = new Mlp(2, List.of(3), 2);
        try (NDManager manager = NDManager.newBaseManager(cpu)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("layers.0.weight", manager.create(w0, new Shape(3, 2)));
            tensors.put("layers.0.bias", manager.create(b0));
            tensors.put("layers.1.weight", manager.create(w1, new Shape(2, 3)));
            tensors.put("layers.1.bias", manager.create(b1));
            Weights weights = Weights.of(mlp, manager.newSubManager(), tensors);
            float[] logits = mlp.forward(weights, manager.create(input, new Shape(1, 2)), Mode.EVAL).toFloatArray();
            assertThat(logits).containsExactly(expected, within(1e-6f));
        }
    }

    @Test
    void weightsOfTheWrongShapeAreRefusedNamingEachTensor() {
        Mlp mlp = new Mlp(2, List.of(3), 2);
        try (NDManager manager = NDManager.newBaseManager(cpu)) {
            Map<String, NDArray> tensors = Map.of("layers.0.weight", manager.zeros(new Shape(2, 3)),
                    "layers.9.bias", manager.zeros(new Shape(1)));
            assertThatThrownBy(() -> Weights.of(mlp, manager, tensors))
                    .hasMessageContaining("layers.0.weight has shape (2, 3), expected (3, 2)")
                    .hasMessageContaining("layers.1.bias is missing")
                    .hasMessageContaining("layers.9.bias is not part of the architecture");
        }
    }

    /** The layout of https://github.com/huggingface/safetensors, byte by byte for a tiny file. */
    @Test
    void safetensorsLayoutIsTheStandardOne() {
        try (NDManager manager = NDManager.newBaseManager(cpu)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("a", manager.create(new float[] {1.5f, -2f}));
            byte[] file = SafeTensors.write(tensors, Map.of("arch", "mlp"));
            ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = buffer.getLong();
            assertThat(headerLength % 8).isZero();
            String header = new String(file, 8, (int) headerLength, StandardCharsets.UTF_8).strip();
            assertThat(header).isEqualTo("{\"__metadata__\":{\"arch\":\"mlp\"},"
                    + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}");
            buffer.position((int) (8 + headerLength));
            assertThat(buffer.getFloat()).isEqualTo(1.5f);
            assertThat(buffer.getFloat()).isEqualTo(-2f);
            assertThat(file).hasSize((int) (8 + headerLength + 8));
            assertThat(SafeTensors.read(file).tensors().get("a").floats()).containsExactly(1.5f, -2f);
        }
    }

    @Test
    void truncatedSafetensorsAreRefusedWithTheReason() {
        try (NDManager manager = NDManager.newBaseManager(cpu)) {
            byte[] file = SafeTensors.write(Map.of("a", manager.create(new float[] {1, 2, 3})), Map.of());
            byte[] truncated = java.util.Arrays.copyOf(file, file.length - 4);
            assertThatThrownBy(() -> SafeTensors.read(truncated)).hasMessageContaining("tensor a lies outside the file");
        }
    }

    /**
     * Spirals cannot be separated by a line (a linear model stays near 1/3 on three arms); the MLP must learn them.
     * Runs on a fresh thread, as the worker's listener does: libtorch's grad mode is per thread.
     */
    @Test
    void mlpLearnsSpiralsOnAFreshThread() throws Exception {
        TrainSpec spec = new TrainSpec("spirals", new ModelSpec("mlp", List.of(64, 64), null), 60, 64, 0.1, 0.9,
                0.0, 7L, null);
        var pool = Executors.newSingleThreadExecutor();
        try {
            TrainingRun.Output output = CompletableFuture.supplyAsync(() -> new TrainingRun(new DatasetCatalog(
                    FashionMnist.DEBIAN_PACKAGE_DIR)).run(spec, cpu, TrainingListener.NONE), pool).get();
            assertThat(output.result().testAccuracy()).isGreaterThan(0.8);
            assertThat(output.result().history()).hasSize(60);
            assertThat(output.result().testExamples()).isEqualTo(Spirals.TEST);
            assertThat(output.result().history().get(59).trainLoss())
                    .isLessThan(output.result().history().get(0).trainLoss());
        } finally {
            pool.shutdown();
        }
    }

    /**
     * A run resumed from the checkpoint taken after epoch 3 ends with exactly the weights and figures of the run that
     * was never interrupted (the second method here): momentum, the epoch's permutation and a schedule that depends
     * on the epoch must all come back. Runs on one thread, where libtorch's CPU kernels are deterministic.
     */
    @Test
    void aRunResumedFromItsCheckpointEndsAsTheUninterruptedRunDid() throws Exception {
        TrainSpec spec = new TrainSpec("spirals", new ModelSpec("mlp", List.of(32, 32), null), 6, 64, 0.05, 0.9,
                1e-4, 3L, null, "cosine");
        TrainingRun run = new TrainingRun(new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR));
        byte[][] afterThird = new byte[1][];
        TrainingRun.Output whole = run.run(spec, cpu, new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                if (epoch == 3) {
                    afterThird[0] = state.get().bytes();
                }
            }
        });
        TrainingRun.Output resumed = run.run(spec, cpu, TrainingListener.NONE, Checkpoint.read(afterThird[0]));

        assertThat(whole.result().resumedAfterEpoch()).isZero();
        assertThat(resumed.result().resumedAfterEpoch()).isEqualTo(3);
        assertThat(resumed.safetensors()).isEqualTo(whole.safetensors());
        assertThat(resumed.result().history()).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(resumed.result().history().get(i).trainLoss()).as("epoch %d", i + 1)
                    .isEqualTo(whole.result().history().get(i).trainLoss());
        }
        assertThat(resumed.result().testAccuracy()).isEqualTo(whole.result().testAccuracy());

        // The checkpoint holds a momentum that matters (non-zero), for each of the six parameters.
        Checkpoint.Restored restored = Checkpoint.read(afterThird[0]);
        assertThat(restored.epoch()).isEqualTo(3);
        assertThat(restored.part("momentum").tensors()).hasSize(6);
        float[] momentum = restored.part("momentum").tensors().get("layers.0.weight").floats();
        assertThat(momentum).isNotEqualTo(new float[momentum.length]);
    }

    @Test
    void divergenceNamesTheEpochAndStep() {
        TrainSpec spec = new TrainSpec("spirals", new ModelSpec("mlp", List.of(64), null), 3, 64, 1e5, 0.99,
                0.0, 1L, null);
        assertThatThrownBy(() -> new TrainingRun(new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR))
                .run(spec, cpu, TrainingListener.NONE))
                .isInstanceOf(DivergedException.class)
                .hasMessageMatching("training diverged: loss \\S+ at epoch \\d+, step \\d+");
    }

    @Test
    void missingFashionMnistNamesTheDebianPackage(@org.junit.jupiter.api.io.TempDir java.nio.file.Path empty) {
        assertThatThrownBy(() -> FashionMnist.load(empty))
                .isInstanceOf(FashionMnist.MissingDatasetException.class)
                .hasMessageContaining("apt-get install dataset-fashion-mnist");
    }

    /** Batch norm tracks one batch per training step, as PyTorch counts num_batches_tracked. */
    @Test
    void vggTrainsOnFashionMnistAndTracksBatchNorm() {
        TrainSpec spec = new TrainSpec("fashion-mnist", new ModelSpec("vgg", null, List.of(8, 16)), 2, 100, 0.05,
                0.9, 0.0, 3L, 4000);
        TrainingRun.Output output = new TrainingRun(new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR))
                .run(spec, cpu, TrainingListener.NONE);
        assertThat(output.result().testAccuracy()).isGreaterThan(0.5);
        var tensors = SafeTensors.read(output.safetensors()).tensors();
        assertThat(tensors.get("features.1.num_batches_tracked").longs()).containsExactly(80L);
        assertThat(tensors.get("features.5.running_var").shape()).containsExactly(16L);
        assertThat(tensors.get("classifier.weight").shape()).containsExactly(10L, 16L * 7 * 7);
    }
}
