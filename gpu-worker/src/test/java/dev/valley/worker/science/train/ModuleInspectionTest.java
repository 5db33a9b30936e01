package dev.valley.worker.science.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import dev.valley.model.job.InspectResult;
import dev.valley.model.job.InspectSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.data.UploadedDatasets;
import dev.valley.worker.science.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inspection of uploaded modules written by PyTorch ({@code tools/make_torchscript_fixtures.py}): what it finds
 * is what PyTorch's own {@code state_dict} says, and each module it must refuse is refused with a reason a person
 * can act on. The archives are served from memory here, as object storage would serve them; the round trip through
 * real storage is {@code TorchScriptEndToEndTest}'s.
 */
class ModuleInspectionTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR,
            new UploadedDatasets.Source() {
                @Override
                public byte[] read(String key) {
                    return objects.get(key);
                }

                @Override
                public void download(String key, String sha256, Path target) {
                    throw new UnsupportedOperationException("no datasets here");
                }
            });

    private static byte[] fixture(String name) throws Exception {
        try (InputStream in = ModuleInspectionTest.class.getResourceAsStream("/torchscript/" + name)) {
            return in.readAllBytes();
        }
    }

    private UUID upload(byte[] archive) {
        UUID id = UUID.randomUUID();
        objects.put("models/" + id + "/module.pt", archive);
        return id;
    }

    private ModuleInspection.Output inspect(byte[] archive) {
        return ModuleInspection.run(new InspectSpec(upload(archive), "fashion-mnist"), catalog, Device.cpu());
    }

    @Test
    void whatItFindsIsWhatPyTorchsStateDictSays() throws Exception {
        JsonNode facts = JSON.readTree(fixture("resnet.json"));
        ModuleInspection.Output output = inspect(fixture("resnet.pt"));
        InspectResult r = output.result();
        List<String> names = new ArrayList<>();
        List<String> statistics = new ArrayList<>();
        long parameters = 0;
        for (JsonNode t : facts.get("stateDict")) {
            String name = t.get("name").asString();
            names.add(name);
            if (name.endsWith("running_mean") || name.endsWith("running_var")) {
                statistics.add(name);
            }
            if (!t.get("buffer").asBoolean()) {
                long size = 1;
                for (JsonNode d : t.get("shape")) {
                    size *= d.asLong();
                }
                parameters += size;
            }
        }
        assertThat(r.topClass()).isEqualTo("__torch__.ResNet");
        assertThat(r.input()).containsExactly(2L, 1L, 28L, 28L);
        assertThat(r.output()).containsExactly(2L, 10L);
        assertThat(r.parameters()).isEqualTo(parameters);
        assertThat(r.tensors().stream().map(InspectResult.Tensor::name)).containsExactlyElementsOf(names);
        assertThat(r.batchNorm()).containsExactlyElementsOf(statistics);
        assertThat(r.noInitRule()).isEmpty();
        assertThat(r.tensors()).filteredOn(t -> t.name().equals("bn.num_batches_tracked")).singleElement()
                .satisfies(t -> assertThat(t.dtype()).isEqualTo("int64"));
        // The archive's weights as saved: unchanged by the train-mode pass (which moves a copy's statistics).
        SafeTensors.Contents weights = SafeTensors.read(output.safetensors());
        assertThat(weights.tensors().keySet()).containsExactlyInAnyOrderElementsOf(names);
        assertThat(weights.metadata()).containsEntry("arch", "torchscript").containsEntry("class", "__torch__.ResNet");
    }

    @Test
    void dropoutLayerNormAndTracedModulesPass() throws Exception {
        assertThat(inspect(fixture("mixer.pt")).result().batchNorm()).isEmpty();
        InspectResult traced = inspect(fixture("traced.pt")).result();
        assertThat(traced.output()).containsExactly(2L, 10L);
        assertThat(traced.parameters()).isEqualTo(784 * 16 + 16 + 16 * 10 + 10);
    }

    @Test
    void eachModuleThatCannotServeIsRefusedWithTheReason() throws Exception {
        assertThatThrownBy(() -> inspect(fixture("three_channels.pt")))
                .hasMessageStartingWith("forward on a [2, 1, 28, 28] batch of fashion-mnist in eval mode failed: ")
                .hasMessageContaining("channels");
        assertThatThrownBy(() -> inspect(fixture("seven_classes.pt")))
                .hasMessage("output has shape [2, 7] in eval mode; fashion-mnist has 10 classes, so Valley needs"
                        + " [2, 10]");
        assertThatThrownBy(() -> inspect(fixture("no_parameters.pt")))
                .hasMessageStartingWith("the module has no parameters");
        ByteArrayOutputStream junk = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(junk)) {
            for (String name : List.of("m/data.pkl", "m/code/__torch__.py")) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write("c__torch__\nNet\nnot a pickle".getBytes());
            }
        }
        assertThatThrownBy(() -> inspect(junk.toByteArray())).hasMessageStartingWith("the archive does not load: ");
        // A real archive whose pickled state is cut short: libtorch's own reason.
        assertThatThrownBy(() -> inspect(fixture("cut_pickle.pt"))).hasMessageStartingWith("the archive does not load: ");
    }
}
