package dev.valley.worker.science.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.valley.worker.science.train.NoGrad;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TorchScript archives written by PyTorch itself ({@code tools/make_torchscript_fixtures.py}, Debian's torch 1.13):
 * their buffers are named as PyTorch's {@code state_dict} names them, the archive with {@link
 * TorchScriptArchive#METHOD} added loads in DJL's libtorch, its forward reproduces PyTorch's logits, and writing a
 * buffer in place through that method changes the logits exactly as the same write does in PyTorch.
 */
class TorchScriptArchiveTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = TorchScriptArchiveTest.class.getResourceAsStream("/torchscript/" + name)) {
            return in.readAllBytes();
        }
    }

    private static JsonNode facts(String name) throws Exception {
        return JSON.readTree(fixture(name + ".json"));
    }

    @Test
    void buffersAreNamedAsPyTorchsStateDictNamesThem() throws Exception {
        TorchScriptArchive archive = TorchScriptArchive.read(fixture("resnet.pt"));
        List<String> expected = new ArrayList<>();
        facts("resnet").get("stateDict").forEach(t -> {
            if (t.get("buffer").asBoolean()) {
                expected.add(t.get("name").asString());
            }
        });
        assertThat(archive.topClass()).isEqualTo("__torch__.ResNet");
        assertThat(archive.buffers()).hasSize(15).containsExactlyElementsOf(expected);
        assertThat(TorchScriptArchive.read(fixture("mixer.pt")).buffers()).isEmpty();
    }

    @Test
    void theRewrittenArchiveLoadsComputesAsPyTorchAndItsBuffersAreWritableInPlace() throws Exception {
        JsonNode facts = facts("resnet");
        Path file = dir.resolve("resnet.pt");
        Files.write(file, TorchScriptArchive.read(fixture("resnet.pt")).withValleyMethods());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            // Loaded trainable: otherwise its tensors are inference tensors, which refuse in-place writes.
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0],
                    new String[0], true);
            List<String> parameters = new ArrayList<>();
            for (Pair<String, Parameter> p : module.getDirectParameters()) {
                parameters.add(p.getKey());
            }
            List<String> expectedParameters = new ArrayList<>();
            List<List<Long>> bufferShapes = new ArrayList<>();
            facts.get("stateDict").forEach(t -> {
                if (t.get("buffer").asBoolean()) {
                    List<Long> shape = new ArrayList<>();
                    t.get("shape").forEach(d -> shape.add(d.asLong()));
                    bufferShapes.add(shape);
                } else {
                    expectedParameters.add(t.get("name").asString());
                }
            });
            assertThat(parameters).containsExactlyElementsOf(expectedParameters);

            NDArray[] buffers = IValueUtils.runMethod(module, TorchScriptArchive.METHOD)
                    .toTensorArray((PtNDManager) manager);
            assertThat(buffers).hasSize(bufferShapes.size());
            for (int i = 0; i < buffers.length; i++) {
                assertThat(buffers[i].getShape().getShape()).containsExactly(
                        bufferShapes.get(i).stream().mapToLong(Long::longValue).toArray());
            }

            NDArray x = input(manager, facts);
            JniUtils.enableInferenceMode(module);
            assertClose(forward(manager, module, x), facts.get("eval"));

            List<String> names = TorchScriptArchive.read(fixture("resnet.pt")).buffers();
            try (NoGrad off = NoGrad.enter()) {
                for (int i = 0; i < buffers.length; i++) {
                    if (names.get(i).endsWith("running_var")) {
                        buffers[i].muli(4);
                    }
                }
            }
            assertClose(forward(manager, module, x), facts.get("evalVarianceTimes4"));
        }
    }

    @Test
    void aNetworkWithoutBuffersLoadsAsItIsAndItsDropoutFollowsTheMode() throws Exception {
        JsonNode facts = facts("mixer");
        byte[] archive = fixture("mixer.pt");
        Path file = dir.resolve("mixer.pt");
        Files.write(file, TorchScriptArchive.read(archive).withValleyMethods());
        try (NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            PtSymbolBlock module = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0],
                    new String[0], true);
            NDArray x = input(manager, facts);
            JniUtils.enableInferenceMode(module);
            assertClose(forward(manager, module, x), facts.get("eval"));
            // In train mode dropout draws a fresh mask each pass; in eval mode the pass is the same every time.
            JniUtils.enableTrainingMode(module);
            float[] once = forward(manager, module, x);
            float[] twice = forward(manager, module, x);
            assertThat(once).isNotEqualTo(twice);
        }
    }

    @Test
    void whatIsNotATorchScriptArchiveIsRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> TorchScriptArchive.read("not a zip".getBytes()))
                .hasMessageStartingWith("not a TorchScript archive");
        byte[] archive = fixture("resnet.pt");
        assertThatThrownBy(() -> TorchScriptArchive.read(java.util.Arrays.copyOf(archive, archive.length / 3)))
                .hasMessageStartingWith("not a TorchScript archive");
        java.io.ByteArrayOutputStream other = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(other)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("model/readme.txt"));
            zip.write("a zip, but no module".getBytes());
        }
        assertThatThrownBy(() -> TorchScriptArchive.read(other.toByteArray()))
                .hasMessageContaining("torch.jit.save");
    }

    private static NDArray input(NDManager manager, JsonNode facts) {
        float[] values = new float[facts.get("x").size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) facts.get("x").get(i).asDouble();
        }
        return manager.create(values, new Shape(values.length / 784, 1, 28, 28));
    }

    private static float[] forward(NDManager manager, PtSymbolBlock module, NDArray x) {
        try (NoGrad off = NoGrad.enter()) {
            NDList out = module.forward(new ParameterStore(manager, false), new NDList(x), false);
            return out.singletonOrThrow().toFloatArray();
        }
    }

    /** PyTorch's logits, float32 on another build of libtorch: equal to 1e-5. */
    private static void assertClose(float[] actual, JsonNode expected) {
        List<Double> flat = new ArrayList<>();
        expected.forEach(row -> row.forEach(v -> flat.add(v.asDouble())));
        assertThat(actual).hasSize(flat.size());
        for (int i = 0; i < actual.length; i++) {
            assertThat((double) actual[i]).as("logit %d", i).isCloseTo(flat.get(i), within(1e-5));
        }
    }
}
