package dev.valley.worker.science.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.MinibatchLoop;
import dev.valley.worker.science.train.NoGrad;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A TorchScript module as a function of weights the caller holds, against what PyTorch itself computed for the same
 * archives ({@code tools/make_torchscript_fixtures.py}): logits, the gradient of cross-entropy for every parameter,
 * and {@code torch.optim.swa_utils.update_bn}'s statistics.
 */
class TorchScriptNetworkTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = TorchScriptNetworkTest.class.getResourceAsStream("/torchscript/" + name)) {
            return in.readAllBytes();
        }
    }

    private static JsonNode facts(String name) throws Exception {
        return JSON.readTree(fixture(name + ".json"));
    }

    @Test
    void theMixersOwnWeightsGiveItsLogitsAndTheGradientReachesTheCallersTensors() throws Exception {
        logitsAndGradient("mixer");
    }

    /**
     * Skipped where the engine's convolution input gradient is wrong for the residual network's 4-channel layers
     * ({@link dev.valley.worker.science.EngineCheck}: on this project's AMD EPYC machines it comes out NaN now and
     * then, even for this batch of 3). The fault is intermittent, so the check can pass and the fault still show in
     * the run itself: a gradient that is not finite skips the test too, saying so, while a finite wrong one fails it.
     */
    @Test
    void theResidualNetworksOwnWeightsGiveItsLogitsAndTheGradientReachesTheCallersTensors() throws Exception {
        String wrong = dev.valley.worker.science.EngineCheck.wrong(Device.cpu());
        org.junit.jupiter.api.Assumptions.assumeTrue(wrong == null, () -> "skipped: " + wrong);
        logitsAndGradient("resnet", true);
    }

    private void logitsAndGradient(String name) throws Exception {
        logitsAndGradient(name, false);
    }

    /** {@code engineFault}: the network has the convolutions whose input gradient the engine may make NaN. */
    private void logitsAndGradient(String name, boolean engineFault) throws Exception {
        {
            JsonNode facts = facts(name);
            try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                    TorchScriptNetwork net = TorchScriptNetwork.load(fixture(name + ".pt"), manager, Map.of());
                    Weights w = net.archiveWeights(manager)) {
                List<String> names = new ArrayList<>();
                facts.get("stateDict").forEach(t -> names.add(t.get("name").asString()));
                assertThat(net.tensors().stream().map(TensorSpec::name)).as(name).containsExactlyElementsOf(names);
                NDArray x = input(manager, facts);
                try (NoGrad off = NoGrad.enter()) {
                    assertClose(net.forward(w, x, Mode.EVAL).toFloatArray(), flat(facts.get("eval")), 1e-5, name);
                }
                // Twice, with an evaluation before each, as training alternates steps and evaluations (the
                // gradient zeroed between, as SGD does).
                for (int pass = 0; pass < 2; pass++) {
                    try (NoGrad off = NoGrad.enter()) {
                        net.forward(w, x, Mode.EVAL);
                    }
                    if (pass == 1) {
                        w.parameters().forEach(p -> ai.djl.pytorch.jni.JniUtils.zeroGrad(
                                (ai.djl.pytorch.engine.PtNDArray) p));
                    }
                    try (NoGrad off = NoGrad.enter();
                            GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = MinibatchLoop.loss(net.forward(w, x, Mode.EVAL),
                                manager.create(new long[] {3, 1, 4}, new Shape(3, 1)));
                        collector.backward(loss);
                    }
                }
                if (engineFault) {
                    boolean finite = w.parameters().stream().allMatch(p -> {
                        for (float g : p.getGradient().toFloatArray()) {
                            if (!Float.isFinite(g)) {
                                return false;
                            }
                        }
                        return true;
                    });
                    org.junit.jupiter.api.Assumptions.assumeTrue(finite, "skipped: the engine's convolution gradient"
                            + " came out NaN in this run (the intermittent fault EngineCheck looks for)");
                }
                // The fixture keeps the first 512 values of each gradient.
                facts.get("grad").properties().forEach(e -> assertClose(java.util.Arrays.copyOf(
                        w.get(e.getKey()).getGradient().toFloatArray(), e.getValue().size()),
                        flat(e.getValue()), 1e-5, name + " gradient of " + e.getKey()));
            }
        }
    }

    @Test
    void measuredStatisticsAreThoseOfUpdateBn() throws Exception {
        JsonNode facts = facts("resnet");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                TorchScriptNetwork net = TorchScriptNetwork.load(fixture("resnet.pt"), manager, Map.of());
                Weights w = net.archiveWeights(manager)) {
            assertThat(net.batchNormStatistics()).hasSize(10).allSatisfy((n, f) -> assertThat(f).isEqualTo(0.1,
                    within(1e-12)));
            NDArray data = formula(manager, 12);
            BatchNormStatistics.recompute(w, 12, 4, (batch, from, to) -> net.forward(w,
                    data.get(batch, new NDIndex().addSliceDim(from, to)), Mode.MEASURE));
            facts.get("updateBn").get("buffers").properties().forEach(e -> {
                NDArray b = w.get(e.getKey());
                float[] values = b.getDataType() == ai.djl.ndarray.types.DataType.INT64
                        ? new float[] {b.getLong()} : b.toFloatArray();
                assertClose(values, flat(e.getValue()), 2e-5, e.getKey());
            });
            try (NoGrad off = NoGrad.enter()) {
                assertClose(net.forward(w, input(manager, facts), Mode.EVAL).toFloatArray(),
                        flat(facts.get("updateBn").get("eval")), 2e-5, "logits after update_bn");
            }
        }
    }

    @Test
    void aSeedDrawsPyTorchsDefaultInitialisation() throws Exception {
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                TorchScriptNetwork net = TorchScriptNetwork.load(fixture("resnet.pt"), manager, Map.of());
                Weights a = net.initialize(manager, 1);
                Weights b = net.initialize(manager, 2)) {
            // stem: Conv2d(1, 4, 3): fan-in 1·3·3; head: Linear(4, 10): fan-in 4.
            assertWithin(a.get("stem.weight"), 1 / 3.0);
            assertWithin(a.get("stem.bias"), 1 / 3.0);
            assertWithin(a.get("blocks.0.conv1.weight"), 1 / Math.sqrt(36));
            assertWithin(a.get("head.weight"), 0.5);
            assertWithin(a.get("head.bias"), 0.5);
            assertThat(a.get("bn.weight").toFloatArray()).containsOnly(1f);
            assertThat(a.get("bn.bias").toFloatArray()).containsOnly(0f);
            assertThat(a.get("bn.running_mean").toFloatArray()).containsOnly(0f);
            assertThat(a.get("bn.running_var").toFloatArray()).containsOnly(1f);
            assertThat(a.get("bn.num_batches_tracked").getLong()).isZero();
            assertThat(a.get("stem.weight").toFloatArray()).isNotEqualTo(b.get("stem.weight").toFloatArray());
            assertThat(net.tensors()).allSatisfy(t -> assertThat(net.rule(t)).isNotEqualTo(
                    TorchScriptNetwork.Rule.ARCHIVE));
        }
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                TorchScriptNetwork net = TorchScriptNetwork.load(fixture("mixer.pt"), manager, Map.of());
                Weights a = net.initialize(manager, 1)) {
            assertWithin(a.get("inp.weight"), 1 / 28.0);
            assertThat(a.get("norm.weight").toFloatArray()).containsOnly(1f);
            assertThat(a.get("norm.bias").toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void aBrokenArchiveIsRefusedWithTheReason() throws Exception {
        byte[] archive = fixture("resnet.pt");
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            assertThatThrownBy(() -> TorchScriptNetwork.load(java.util.Arrays.copyOf(archive, 1000), manager,
                    Map.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("not a TorchScript archive");
        }
    }

    /** Every value inside ±bound, and spread over most of it (a uniform draw, not a constant). */
    private static void assertWithin(NDArray array, double bound) {
        float[] values = array.toFloatArray();
        float max = 0;
        for (float v : values) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo((float) bound);
            max = Math.max(max, Math.abs(v));
        }
        assertThat((double) max).isGreaterThan(values.length >= 10 ? bound * 0.5 : 0);
    }

    /** ((i · 7919) mod 1000) / 1000 over the flattened index, as the fixture script computes it. */
    private static NDArray formula(NDManager manager, int n) {
        float[] values = new float[n * 784];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (((long) i * 7919) % 1000) / 1000f;
        }
        return manager.create(values, new Shape(n, 1, 28, 28));
    }

    private static NDArray input(NDManager manager, JsonNode facts) {
        float[] values = new float[facts.get("x").size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) facts.get("x").get(i).asDouble();
        }
        return manager.create(values, new Shape(values.length / 784, 1, 28, 28));
    }

    private static double[] flat(JsonNode node) {
        List<Double> out = new ArrayList<>();
        collect(node, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void collect(JsonNode node, List<Double> out) {
        if (node.isArray()) {
            node.forEach(n -> collect(n, out));
        } else {
            out.add(node.asDouble());
        }
    }

    /** Equal to {@code tolerance}, relative to the larger of 1 and the value. */
    private static void assertClose(float[] actual, double[] expected, double tolerance, String what) {
        assertThat(actual).as(what).hasSize(expected.length);
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("%s [%d]", what, i)
                    .isCloseTo(expected[i], within(tolerance * Math.max(1, Math.abs(expected[i]))));
        }
    }
}
