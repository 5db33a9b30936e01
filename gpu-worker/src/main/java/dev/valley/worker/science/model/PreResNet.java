package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.valley.model.layout.ModelLayout;
import java.util.List;
import java.util.Map;

/**
 * A pre-activation ResNet for small images (He et al. 2016, "Identity Mappings in Deep Residual Networks"), the
 * PreResNet of dnn-mode-connectivity: {@code conv1} 3x3 to 16 channels; three stages {@code layer1..3} of n =
 * (depth − 2) / 6 basic blocks with 16, 32 and 64 channels, the first block of stages 2 and 3 striding by 2; a final
 * {@code bn}, ReLU, global average pooling and {@code fc}. A block is bn1 → ReLU → conv1 (3x3, stride) → bn2 → ReLU →
 * conv2 (3x3), plus its input, through {@code downsample.0} (1x1 conv, stride) where the shape changes. Convolutions
 * have no bias. With {@code skips} false there is no addition and no downsample: the plain net of Li et al. 2018's
 * pictures. Any input size works (global pooling): 1x28x28 and 3x32x32 alike.
 */
public final class PreResNet implements Architecture {
    private static final Shape K3 = new Shape(3, 3);
    private static final Shape PAD1 = new Shape(1, 1);
    private static final Shape PAD0 = new Shape(0, 0);
    private static final Shape STRIDE1 = new Shape(1, 1);
    private static final Shape STRIDE2 = new Shape(2, 2);

    private final long[] input;
    private final int depth;
    private final int blocks;
    private final boolean skips;
    private final long classes;
    private final List<TensorSpec> tensors;

    public PreResNet(long[] input, int depth, boolean skips, long classes) {
        this.input = input.clone();
        this.depth = depth;
        this.blocks = (depth - 2) / 6;
        this.skips = skips;
        this.classes = classes;
        tensors = TensorSpec.of(ModelLayout.preResNet(input, depth, skips, classes));
    }

    private static String block(int stage, int b) {
        return "layer" + (stage + 1) + "." + b;
    }

    /** The first block of stages 2 and 3 changes width and resolution. */
    private static boolean hasDownsample(int stage, int b) {
        return stage > 0 && b == 0;
    }

    @Override
    public List<TensorSpec> tensors() {
        return tensors;
    }

    /** Stage 1's feature maps: each later stage doubles the channels on a quarter of the positions. */
    @Override
    public long widestActivation() {
        return ModelLayout.PRERESNET_WIDTHS[0] * input[1] * input[2];
    }

    @Override
    public String firstWeight() {
        return "conv1.weight";
    }

    @Override
    public String firstBias() {
        return null;
    }

    @Override
    public NDArray first(NDArray x, NDArray weight, NDArray bias) {
        return Architecture.convolveImages(x, input, weight, bias);
    }

    @Override
    public NDArray rest(Weights w, NDArray firstOutput, Mode mode) {
        long n = firstOutput.getShape().get(0);
        NDArray h = firstOutput;
        for (int stage = 0; stage < 3; stage++) {
            for (int b = 0; b < blocks; b++) {
                String block = block(stage, b);
                Shape stride = hasDownsample(stage, b) ? STRIDE2 : STRIDE1;
                NDArray out = Activation.relu(BatchNorms.apply(h, w, block + ".bn1", mode));
                out = Conv2d.conv2d(out, w.get(block + ".conv1.weight"), null, stride, PAD1).singletonOrThrow();
                out = Activation.relu(BatchNorms.apply(out, w, block + ".bn2", mode));
                out = Conv2d.conv2d(out, w.get(block + ".conv2.weight"), null, STRIDE1, PAD1).singletonOrThrow();
                if (skips) {
                    NDArray residual = hasDownsample(stage, b)
                            ? Conv2d.conv2d(h, w.get(block + ".downsample.0.weight"), null, stride, PAD0)
                                    .singletonOrThrow()
                            : h;
                    out = out.add(residual);
                }
                h = out;
            }
        }
        h = Activation.relu(BatchNorms.apply(h, w, "bn", mode));
        h = Pool.globalAvgPool2d(h).reshape(n, ModelLayout.PRERESNET_WIDTHS[2]);
        return Linear.linear(h, w.get("fc.weight"), w.get("fc.bias")).singletonOrThrow();
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("arch", "preresnet", "depth", Integer.toString(depth), "skips", Boolean.toString(skips),
                "input", input[0] + "x" + input[1] + "x" + input[2], "classes", Long.toString(classes));
    }

    @Override
    public String describe() {
        return "preresnet-" + depth + (skips ? "" : " without skips") + " on " + input[0] + "x" + input[1] + "x"
                + input[2];
    }
}
