package dev.valley.model.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An architecture and its sizes.
 * <ul>
 *   <li>{@code mlp}: the input flattened, Linear layers of sizes {@code hidden} with ReLU between, logits out.</li>
 *   <li>{@code vgg}: per entry of {@code channels} a block conv3x3 → batch norm → ReLU → max-pool 2x2, then one
 *   Linear layer to the logits.</li>
 *   <li>{@code preresnet}: a pre-activation ResNet for small images (He et al. 2016) of {@code depth} = 6n + 2
 *   layers, three stages of 16, 32 and 64 channels; {@code skips: false} removes the skip connections, as the
 *   loss-landscape pictures of Li et al. 2018 do.</li>
 *   <li>{@code torchscript}: the user's own network, a TorchScript archive uploaded with
 *   {@code POST /api/v1/models} ({@code format=torchscript}) and named by its id in {@code module}.</li>
 * </ul>
 */
public record ModelSpec(
        @Description("mlp, vgg, preresnet, or torchscript (an uploaded module)")
        @NotNull @Pattern(regexp = "mlp|vgg|preresnet|torchscript",
                message = "must be one of: mlp, vgg, preresnet, torchscript") String arch,
        @Description("mlp: the hidden layers' widths")
        @Size(max = 16) List<@NotNull @Positive @Max(16384) Integer> hidden,
        @Description("vgg: each block's channels")
        @Size(min = 1, max = 6) List<@NotNull @Positive @Max(1024) Integer> channels,
        @Description("preresnet: 6n + 2 layers")
        @Min(8) @Max(110) Integer depth,
        @Description("preresnet: with its skip connections")
        Boolean skips,
        @Description("torchscript: the id of the module uploaded with POST /api/v1/models (format=torchscript)")
        java.util.UUID module) {

    public static final String MLP = "mlp";
    public static final String VGG = "vgg";
    public static final String PRERESNET = "preresnet";
    public static final String TORCHSCRIPT = "torchscript";
    public static final int DEFAULT_DEPTH = 20;

    public ModelSpec(String arch, List<Integer> hidden, List<Integer> channels) {
        this(arch, hidden, channels, null, null, null);
    }

    public ModelSpec(String arch, List<Integer> hidden, List<Integer> channels, Integer depth, Boolean skips) {
        this(arch, hidden, channels, depth, skips, null);
    }

    /** The uploaded TorchScript module {@code module}. */
    public static ModelSpec torchscript(java.util.UUID module) {
        return new ModelSpec(TORCHSCRIPT, null, null, null, null, module);
    }

    @JsonIgnore
    public boolean isTorchScript() {
        return TORCHSCRIPT.equals(arch);
    }

    /** An unmodifiable copy that keeps null entries, so that validation names them instead of a copy failing. */
    private static List<Integer> copy(List<Integer> values) {
        return java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
    }

    public ModelSpec withDefaults() {
        return switch (Objects.requireNonNullElse(arch, "")) {
            case MLP -> new ModelSpec(arch, hidden == null ? List.of(512, 512) : copy(hidden), null);
            case VGG -> new ModelSpec(arch, null, channels == null ? List.of(32, 64) : copy(channels));
            case PRERESNET -> new ModelSpec(arch, null, null, depth == null ? DEFAULT_DEPTH : depth,
                    skips == null ? Boolean.TRUE : skips);
            default -> this;
        };
    }

    /** Whether the architecture takes images ([channels, height, width]) only. */
    public boolean needsImages() {
        return VGG.equals(arch) || PRERESNET.equals(arch);
    }

    /** Each field in which two filled specs differ, as "field is X here and Y there"; empty when they agree. */
    public List<String> differencesFrom(ModelSpec other) {
        List<String> differences = new ArrayList<>();
        compare(differences, "arch", arch, other.arch);
        compare(differences, "hidden", hidden, other.hidden);
        compare(differences, "channels", channels, other.channels);
        compare(differences, "depth", depth, other.depth);
        compare(differences, "skips", skips, other.skips);
        compare(differences, "module", module, other.module);
        return differences;
    }

    private static void compare(List<String> differences, String field, Object mine, Object theirs) {
        if (!Objects.equals(mine, theirs)) {
            differences.add("model." + field + " is " + mine + " here and " + theirs + " there");
        }
    }

    @AssertTrue(message = "is only for arch mlp")
    boolean isHiddenOnlyForMlp() {
        return hidden == null || MLP.equals(arch);
    }

    @AssertTrue(message = "is only for arch vgg")
    boolean isChannelsOnlyForVgg() {
        return channels == null || VGG.equals(arch);
    }

    @AssertTrue(message = "is only for arch preresnet, and must be 6n + 2 (8, 14, 20, 32, 44, 56, 110)")
    boolean isDepthValid() {
        return depth == null || (PRERESNET.equals(arch) && (depth - 2) % 6 == 0);
    }

    @AssertTrue(message = "is only for arch preresnet")
    boolean isSkipsOnlyForPreresnet() {
        return skips == null || PRERESNET.equals(arch);
    }

    @AssertTrue(message = "is required for arch torchscript, and only for it: the id POST /api/v1/models"
            + " (format=torchscript) returned")
    boolean isModuleGivenForTorchscript() {
        return (module != null) == TORCHSCRIPT.equals(arch);
    }
}
