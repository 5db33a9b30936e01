package dev.valley.model.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.valley.model.job.ModelSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The groups of hidden units each built-in architecture declares, counted by hand from its layout, and the names a
 * spec may use for them.
 */
class PermutationSpecTest {
    private static final long[] IMAGES = {1, 28, 28};

    private static PermutationSpec of(ModelSpec model) {
        return PermutationSpec.of(model, ModelLayout.of(model, IMAGES, 10));
    }

    @Test
    void anMlpPermutesEachHiddenLayerAndTheNextLayersInputs() {
        PermutationSpec spec = of(new ModelSpec("mlp", List.of(32, 24), null));
        assertThat(spec.groups()).extracting(PermutationSpec.Group::name, PermutationSpec.Group::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("layers.0", 32),
                        org.assertj.core.groups.Tuple.tuple("layers.1", 24));
        assertThat(spec.group("layers.1").axes()).containsExactly(new PermutationSpec.Axis("layers.1.weight", 0, 1),
                new PermutationSpec.Axis("layers.1.bias", 0, 1), new PermutationSpec.Axis("layers.2.weight", 1, 1));
    }

    @Test
    void aVggChannelCoversItsPixelsInTheClassifier() {
        // Two blocks pool 28×28 down to 7×7: each of the last block's 16 channels is 49 of the classifier's inputs.
        PermutationSpec spec = of(new ModelSpec("vgg", null, List.of(8, 16)));
        assertThat(spec.group("features.4").axes()).contains(new PermutationSpec.Axis("features.5.running_var", 0, 1),
                new PermutationSpec.Axis("classifier.weight", 1, 49));
    }

    @Test
    void theResidualStreamIsOnePermutationPerStageWithSkipsAndNoneWithout() {
        PermutationSpec with = of(new ModelSpec("preresnet", null, null, 8, true));
        PermutationSpec without = of(new ModelSpec("preresnet", null, null, 8, false));
        // PreResNet-8: one block per stage. With skips: 3 streams + 3 blocks' inner channels; without: the stem, and
        // each block's two convolutions.
        assertThat(with.groups().stream().map(PermutationSpec.Group::name)).containsExactlyInAnyOrder(
                "stream1", "stream2", "stream3", "layer1.0.conv1", "layer2.0.conv1", "layer3.0.conv1");
        assertThat(with.group("stream2").axes()).extracting(PermutationSpec.Axis::tensor).contains(
                "layer2.0.downsample.0.weight", "layer2.0.conv2.weight", "layer3.0.bn1.weight",
                "layer3.0.downsample.0.weight");
        assertThat(without.groups()).hasSize(7);
    }

    @Test
    void aLayerIsNamedByItsGroupOrByThePrefixOfALayerTheGroupWrites() {
        PermutationSpec with = of(new ModelSpec("preresnet", null, null, 8, true));
        assertThat(with.resolve("stream2").name()).isEqualTo("stream2");
        assertThat(with.resolve("layer2.0.conv2").name()).isEqualTo("stream2");
        assertThat(with.resolve("conv1").name()).isEqualTo("stream1");
        assertThat(with.resolve("layer3.0.bn2").name()).isEqualTo("layer3.0.conv1");
        assertThatThrownBy(() -> with.resolve("layer2")).hasMessageContaining("'layer2' is no layer")
                .hasMessageContaining("stream1, layer1.0.conv1");
        // The last layer's outputs are the logits: no hidden units.
        PermutationSpec mlp = of(new ModelSpec("mlp", List.of(32), null));
        assertThatThrownBy(() -> mlp.resolve("layers.1")).hasMessageContaining("are layers.0");
    }

    @Test
    void aNetworkWithoutDeclaredUnitsHasNoSpec() {
        assertThatThrownBy(() -> PermutationSpec.of("torchscript", Map.of()))
                .hasMessageContaining("only the built-in architectures (mlp, vgg, preresnet)");
    }
}
