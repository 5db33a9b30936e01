package dev.valley.worker.science.average;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.FgeResult;
import dev.valley.model.job.FgeSpec;
import dev.valley.model.job.ModelRef;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.SwaResult;
import dev.valley.model.job.SwaSpec;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Mlp;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.LearningRates;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.TrainingRun;
import dev.valley.worker.science.train.Workspace;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AverageScienceTest {
    private final Device cpu = Device.cpu();
    private final DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR);

    /** Rates at hand-computed points of SWALR's cosine, the constant switch and fge.py's triangle. */
    @Test
    void schedulesMatchTheirFormulasByHand() {
        assertThat(LearningRates.swa(0.1, 0.01, 5, true, 2, 4)).isEqualTo(0.1);
        // First SWA epoch, half way through a 2-epoch anneal: cos(π/2) = 0, so the midpoint 0.055.
        assertThat(LearningRates.swa(0.1, 0.01, 5, true, 2, 5)).isCloseTo(0.055, within(1e-12));
        assertThat(LearningRates.swa(0.1, 0.01, 5, true, 2, 6)).isCloseTo(0.01, within(1e-12));
        assertThat(LearningRates.swa(0.1, 0.01, 5, false, 2, 5)).isEqualTo(0.01);
        assertThat(LearningRates.cyclic(0.05, 0.0005, 4, 0, 0)).isCloseTo(0.05, within(1e-12));
        assertThat(LearningRates.cyclic(0.05, 0.0005, 4, 1, 0)).isCloseTo((0.05 + 0.0005) / 2, within(1e-12));
        assertThat(LearningRates.cyclic(0.05, 0.0005, 4, 2, 0)).isCloseTo(0.0005, within(1e-12));
        assertThat(LearningRates.cyclic(0.05, 0.0005, 4, 3, 0.5)).isCloseTo(0.05 * 0.75 + 0.0005 * 0.25, within(1e-12));
        assertThat(LearningRates.cyclic(0.05, 0.0005, 4, 5, 0)).isCloseTo((0.05 + 0.0005) / 2, within(1e-12));
        // Cosine over 4 epochs, half way: (1 + cos(π/2)) / 2 = ½; a quarter in: (1 + √½) / 2.
        assertThat(LearningRates.named("cosine", 0.1, 4).at(2, 0)).isCloseTo(0.05, within(1e-12));
        assertThat(LearningRates.named("cosine", 0.1, 4).at(0, 0.999999)).isCloseTo(0.1 * (1 + Math.sqrt(0.5)) / 2,
                within(1e-6));
        // The eighth epoch (index 7; the reference's epoch 8 of 10, α = 0.8): 1 − 0.3 / 0.4 · 0.99 = 0.2575.
        assertThat(LearningRates.named("decay", 0.1, 10).at(7, 0.3)).isCloseTo(0.1 * 0.2575, within(1e-12));
    }

    /** Three networks averaged one by one give their arithmetic mean, element by element. */
    @Test
    void runningAverageIsTheArithmeticMean() {
        Mlp mlp = new Mlp(3, List.of(4), 2);
        try (NDManager manager = NDManager.newBaseManager(cpu);
                Weights a = mlp.initialize(manager, 1);
                Weights b = mlp.initialize(manager, 2);
                Weights c = mlp.initialize(manager, 3);
                WeightAverage average = new WeightAverage(manager);
                NDManager scope = manager.newSubManager()) {
            average.add(a);
            average.add(b);
            average.add(c);
            float[] x = a.get("layers.0.weight").toFloatArray();
            float[] y = b.get("layers.0.weight").toFloatArray();
            float[] z = c.get("layers.0.weight").toFloatArray();
            float[] mean = average.weights(a, scope).get("layers.0.weight").toFloatArray();
            for (int i = 0; i < mean.length; i++) {
                assertThat((double) mean[i]).isCloseTo(((double) x[i] + y[i] + z[i]) / 3, within(1e-6));
            }
            assertThat(average.count()).isEqualTo(3);
        }
    }

    /** From scratch on spirals: both runs have a history per epoch, the average starts after swaStart. */
    @Test
    void swaRunsBesideItsSgdBaselineAndAveragesAfterItsStart() {
        SwaSpec spec = new SwaSpec("spirals", new ModelSpec("mlp", List.of(32, 32), null), null, 40, 36, 64, 0.1,
                0.02, "cosine", 2, 1, "epochs", null, 0.9, 0.0, 4L, null).withDefaults();
        List<SafeTensors.Contents> checkpoints = new java.util.ArrayList<>();
        SwaRun.Output output = new SwaRun(catalog).run(spec, null, "seed 4", cpu, new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                if (epoch % 10 == 0) {
                    checkpoints.add(SafeTensors.read(state.get().bytes()));
                }
            }
        });
        SwaResult r = output.result();
        // Every tenth epoch of both runs: the baseline's last is sgd.safetensors, tensor for tensor.
        assertThat(checkpoints).extracting(c -> c.metadata().get("phase") + " " + c.metadata().get("epoch"))
                .containsExactly("baseline 10", "baseline 20", "baseline 30", "baseline 40", "swa 10", "swa 20",
                        "swa 30", "swa 40");
        var baseline = checkpoints.get(3).tensors();
        SafeTensors.read(output.sgd()).tensors().forEach((name, t) ->
                assertThat(baseline.get("model." + name).floats()).containsExactly(t.floats()));
        assertThat(checkpoints.get(7).metadata()).containsEntry("averaged", "4");
        assertThat(checkpoints.get(7).tensors()).containsKeys("momentum.layers.0.weight", "average.layers.2.bias");
        assertThat(r.sgdHistory()).hasSize(40);
        assertThat(r.swaHistory()).hasSize(40);
        assertThat(r.averaged()).isEqualTo(4);
        assertThat(r.swaHistory().get(35).averageTestAccuracy()).isNull();
        assertThat(r.swaHistory().get(36).averaged()).isEqualTo(1);
        assertThat(r.swaHistory().get(39).averageTestAccuracy()).isEqualTo(r.swa().testAccuracy());
        assertThat(r.swa().testAccuracy()).isGreaterThan(0.8);
        assertThat(r.batchNormRecomputed()).isFalse();
        assertThat(SafeTensors.read(output.swa()).metadata()).containsEntry("averaged", "4");
        assertThat(output.png()).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    /**
     * evaluateEvery 4 from swaStart 6 of 12: the average is scored after epochs 10 and 12 only (the last always),
     * and its final score is the result's; the iterates' diversity, from the loop's own test evaluations, equals
     * the SWA run's iterates (from its checkpoints) evaluated again here.
     */
    @Test
    void swaScoresTheAverageEveryEvaluateEveryEpochsAndAtTheEnd() {
        SwaSpec spec = new SwaSpec("spirals", new ModelSpec("mlp", List.of(16, 16), null), null, 12, 6, 64, 0.1,
                0.02, "constant", 1, 1, "epochs", 4, 0.9, 0.0, 4L, null).withDefaults();
        java.util.Map<Integer, byte[]> iterates = new java.util.TreeMap<>();
        SwaRun.Output output = new SwaRun(catalog).run(spec, null, "seed 4", cpu, new TrainingListener() {
            @Override
            public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                Checkpoint c = state.get();
                if ("swa".equals(SafeTensors.read(c.bytes()).metadata().get("phase")) && epoch > 6) {
                    iterates.put(epoch, c.bytes());
                }
            }
        });
        SwaResult r = output.result();
        assertThat(r.swaHistory()).filteredOn(e -> e.averageTestLoss() != null)
                .extracting(SwaResult.SwaEpoch::epoch).containsExactly(10, 12);
        assertThat(r.swaHistory().get(11).averageTestLoss()).isEqualTo(r.swa().testLoss());
        assertThat(r.averaged()).isEqualTo(6);
        // The diversity's members are the iterates after epochs 7..12: their test accuracies, recomputed from the
        // checkpointed weights by a separate evaluation, are the member accuracies the run reported.
        assertThat(r.diversity().members()).hasSize(6);
        try (Workspace ws = Workspace.open(catalog, "spirals", 4L, null, spec.model(), cpu)) {
            List<Double> recomputed = new java.util.ArrayList<>();
            List<Double> losses = new java.util.ArrayList<>();
            for (byte[] bytes : iterates.values()) {
                SafeTensors.Contents contents = SafeTensors.read(bytes);
                java.util.Map<String, ai.djl.ndarray.NDArray> tensors = new java.util.LinkedHashMap<>();
                try (NDManager m = ws.manager().newSubManager()) {
                    contents.tensors().forEach((name, t) -> {
                        if (name.startsWith("model.")) {
                            tensors.put(name.substring("model.".length()), t.create(m, name));
                        }
                    });
                    var metrics = Evaluator.evaluate(Weights.of(ws.architecture(), m, tensors), ws.test());
                    recomputed.add(metrics.accuracy());
                    losses.add(metrics.loss());
                }
            }
            assertThat(r.diversity().accuracy()).containsExactlyElementsOf(recomputed);
            assertThat(losses).doesNotHaveDuplicates();
            for (int i = 0; i < losses.size(); i++) {
                assertThat(r.diversity().loss().get(i)).isCloseTo(losses.get(i), within(1e-5));
            }
        }
    }

    /** From a trained network, 8 epochs of 4-epoch cycles: snapshots at epochs 2 and 6, the first alone = its
     * ensemble. */
    @Test
    void fgeSnapshotsAtEachCyclesLowPoint() {
        ModelSpec model = new ModelSpec("vgg", null, List.of(8));
        byte[] start = new TrainingRun(catalog).run(new TrainSpec("fashion-mnist", model, 1, 64, 0.05, 0.9, 0.0, 5L,
                2000), cpu, TrainingListener.NONE).safetensors();
        FgeSpec spec = new FgeSpec(new ModelRef(UUID.randomUUID(), null), "fashion-mnist", model, 8, 4, 64, 0.05,
                0.0005, 0.9, 1e-4, 5L, 2000).withDefaults();
        FgeRun.Output output = new FgeRun(catalog).run(spec, start, cpu, TrainingListener.NONE);
        FgeResult r = output.result();
        assertThat(r.snapshots()).extracting(FgeResult.Snapshot::epoch).containsExactly(2, 6);
        assertThat(r.snapshots().get(0).ensembleTestAccuracy()).isEqualTo(r.snapshots().get(0).testAccuracy());
        assertThat(r.snapshots().get(0).ensembleTestLoss()).isCloseTo(r.snapshots().get(0).testLoss(), within(1e-4));
        var file = SafeTensors.read(output.snapshots());
        assertThat(file.tensors()).containsKeys("snapshots.0.features.0.weight", "snapshots.1.features.1.running_var");
        assertThat(file.metadata()).containsEntry("snapshots", "2");
    }
}
