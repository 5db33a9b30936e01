package dev.valley.worker.science.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.NoGrad;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Weight matching on every built-in architecture: the aligned network is the target's function (its logits equal to
 * float32 rounding), a network permuted at random is matched back to itself exactly (the permutations are known,
 * and the objective reaches ‖W‖²), and the objective never falls from one sweep to the next.
 */
class WeightMatchingTest {
    static final DatasetSplits DATA = FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR);
    static final List<ModelSpec> MODELS = List.of(
            new ModelSpec("mlp", List.of(32, 24), null),
            new ModelSpec("vgg", null, List.of(8, 16)),
            new ModelSpec("preresnet", null, null, 8, true),
            new ModelSpec("preresnet", null, null, 8, false));

    /** Random running statistics too, so that a batch norm's buffers that were not permuted with it would show. */
    static Weights network(Architecture architecture, NDManager manager, long seed) {
        Weights w = architecture.initialize(manager, seed);
        SplittableRandom random = new SplittableRandom(seed * 31);
        try (NoGrad noGrad = NoGrad.enter()) {
            for (TensorSpec t : architecture.tensors()) {
                if (t.name().endsWith("running_mean") || t.name().endsWith("running_var")
                        || (t.isParameter() && t.shape().dimension() == 1 && t.name().contains("bn"))) {
                    float[] values = new float[(int) t.shape().size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = (float) (t.name().endsWith("running_var") ? 0.5 + random.nextDouble()
                                : random.nextGaussian() * 0.5);
                    }
                    w.get(t.name()).set(values);
                }
            }
        }
        return w;
    }

    private static float[] logits(Weights w, NDArray x) {
        try (NoGrad noGrad = NoGrad.enter()) {
            return w.architecture().forward(w, x, Mode.EVAL).toFloatArray();
        }
    }

    @Test
    void theAlignedNetworkIsTheTargetsFunctionForEveryArchitecture() {
        for (ModelSpec model : MODELS) {
            Architecture architecture = Architectures.of(model, DATA.sampleShape(), DATA.classes());
            PermutationSpec spec = architecture.permutations();
            for (long seed : new long[] {1, 2, 3}) {
                try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                        Weights reference = network(architecture, manager, seed);
                        Weights target = network(architecture, manager, seed + 10)) {
                    NDArray x = manager.create(DATA.test().select(new int[] {0, 1, 2, 3, 4, 5, 6, 7}).x(),
                            new ai.djl.ndarray.types.Shape(8, 1, 28, 28));
                    WeightMatching.Result result = WeightMatching.match(reference, target, spec, seed, 100);
                    assertThat(result.permutations().values()).anySatisfy(p -> assertThat(p)
                            .isNotEqualTo(java.util.stream.IntStream.range(0, p.length).toArray()));
                    try (Weights aligned = WeightMatching.apply(target, spec, result.permutations(), manager)) {
                        float[] before = logits(target, x);
                        float[] after = logits(aligned, x);
                        float largest = 0;
                        float worst = 0;
                        for (int i = 0; i < before.length; i++) {
                            largest = Math.max(largest, Math.abs(before[i]));
                            worst = Math.max(worst, Math.abs(before[i] - after[i]));
                        }
                        assertThat(worst / largest).as("%s seed %d", architecture.describe(), seed)
                                .isLessThanOrEqualTo(1e-5f);
                    }
                    List<Double> objective = result.objective();
                    for (int i = 1; i < objective.size(); i++) {
                        assertThat(objective.get(i)).as("%s sweep %d", architecture.describe(), i)
                                .isGreaterThanOrEqualTo(objective.get(i - 1));
                    }
                    assertThat(objective.get(objective.size() - 1)).isGreaterThan(objective.get(0));
                    assertThat(result.converged()).isTrue();
                }
            }
        }
    }

    @Test
    void aNetworkPermutedAtRandomIsMatchedBackToItself() {
        for (ModelSpec model : MODELS) {
            Architecture architecture = Architectures.of(model, DATA.sampleShape(), DATA.classes());
            PermutationSpec spec = architecture.permutations();
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                    Weights reference = network(architecture, manager, 5)) {
                SplittableRandom random = new SplittableRandom(9);
                Map<String, int[]> scramble = new LinkedHashMap<>();
                spec.groups().forEach(g -> scramble.put(g.name(), shuffled(g.size(), random)));
                try (Weights target = WeightMatching.apply(reference, spec, scramble, manager)) {
                    WeightMatching.Result result = WeightMatching.match(reference, target, spec, 1, 100);
                    try (Weights aligned = WeightMatching.apply(target, spec, result.permutations(), manager)) {
                        double norm = TensorMaps.dot(reference.parameterMap(), reference.parameterMap());
                        assertThat(result.objective().get(result.objective().size() - 1)).as(architecture.describe())
                                .isCloseTo(norm, within(1e-6 * norm));
                        for (TensorSpec t : architecture.tensors()) {
                            assertThat(aligned.get(t.name()).toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                                    .toDoubleArray()).as("%s %s", architecture.describe(), t.name())
                                    .containsExactly(reference.get(t.name())
                                            .toType(ai.djl.ndarray.types.DataType.FLOAT64, false).toDoubleArray());
                        }
                    }
                }
            }
        }
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        return dev.valley.worker.science.data.DatasetSplits.permutation(n, random.nextLong());
    }
}
