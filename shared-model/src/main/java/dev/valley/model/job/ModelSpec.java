package dev.valley.model.job;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * An architecture and its sizes.
 * <ul>
 *   <li>{@code mlp}: the input flattened, Linear layers of sizes {@code hidden} with ReLU between, logits out.</li>
 *   <li>{@code vgg}: per entry of {@code channels} a block conv3x3 → batch norm → ReLU → max-pool 2x2, then one
 *   Linear layer to the logits.</li>
 * </ul>
 */
public record ModelSpec(
        @NotNull @Pattern(regexp = "mlp|vgg", message = "must be one of: mlp, vgg") String arch,
        @Size(max = 16) List<@NotNull @Positive @Max(16384) Integer> hidden,
        @Size(min = 1, max = 6) List<@NotNull @Positive @Max(1024) Integer> channels) {

    public static final String MLP = "mlp";
    public static final String VGG = "vgg";

    public ModelSpec withDefaults() {
        if (MLP.equals(arch)) {
            return new ModelSpec(arch, hidden == null ? List.of(512, 512) : List.copyOf(hidden), null);
        }
        if (VGG.equals(arch)) {
            return new ModelSpec(arch, null, channels == null ? List.of(32, 64) : List.copyOf(channels));
        }
        return this;
    }

    @AssertTrue(message = "is only for arch mlp")
    boolean isHiddenOnlyForMlp() {
        return hidden == null || !VGG.equals(arch);
    }

    @AssertTrue(message = "is only for arch vgg")
    boolean isChannelsOnlyForVgg() {
        return channels == null || !MLP.equals(arch);
    }
}
