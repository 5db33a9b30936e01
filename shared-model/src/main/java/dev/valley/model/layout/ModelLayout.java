package dev.valley.model.layout;

import dev.valley.model.job.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The named tensors of each architecture, laid out as PyTorch names them (so that a {@code state_dict} saved with
 * safetensors loads as is): the one description the worker builds its networks from and the api-service checks
 * uploaded weights against.
 */
public final class ModelLayout {
    /** PreResNet's three stages. */
    public static final int[] PRERESNET_WIDTHS = {16, 32, 64};

    private ModelLayout() {
    }

    /** One tensor: a parameter (learned, float32) or a batch-norm buffer (float32 statistics, int64 counter). */
    public record Tensor(String name, long[] shape, boolean parameter, String dtype) {
        static Tensor parameter(String name, long... shape) {
            return new Tensor(name, shape, true, "F32");
        }

        static Tensor buffer(String name, String dtype, long... shape) {
            return new Tensor(name, shape, false, dtype);
        }
    }

    /** The tensors of {@code spec} for examples of {@code sampleShape} and {@code classes} classes, in order. */
    public static List<Tensor> of(ModelSpec spec, long[] sampleShape, long classes) {
        ModelSpec filled = spec.withDefaults();
        return switch (filled.arch()) {
            case ModelSpec.MLP -> mlp(mlpSizes(Arrays.stream(sampleShape).reduce(1, Math::multiplyExact),
                    filled.hidden(), classes));
            case ModelSpec.VGG -> vgg(sampleShape, filled.channels(), classes);
            case ModelSpec.PRERESNET -> preResNet(sampleShape, filled.depth(), filled.skips(), classes);
            default -> throw new IllegalArgumentException("unknown architecture " + filled.arch());
        };
    }

    /** Inputs, each hidden width, classes. */
    public static long[] mlpSizes(long inputs, List<Integer> hidden, long classes) {
        long[] sizes = new long[hidden.size() + 2];
        sizes[0] = inputs;
        for (int i = 0; i < hidden.size(); i++) {
            sizes[i + 1] = hidden.get(i);
        }
        sizes[sizes.length - 1] = classes;
        return sizes;
    }

    /** {@code layers.{i}.weight} [out, in] and {@code layers.{i}.bias} [out]. */
    public static List<Tensor> mlp(long[] sizes) {
        List<Tensor> tensors = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            tensors.add(Tensor.parameter("layers." + i + ".weight", sizes[i + 1], sizes[i]));
            tensors.add(Tensor.parameter("layers." + i + ".bias", sizes[i + 1]));
        }
        return List.copyOf(tensors);
    }

    /** Block b: {@code features.{4b}} conv 3x3, {@code features.{4b+1}} batch norm; then {@code classifier}. */
    public static List<Tensor> vgg(long[] input, List<Integer> channels, long classes) {
        if (input.length != 3) {
            throw new IllegalArgumentException("vgg needs images [channels, height, width], got " + input.length
                    + "-D samples");
        }
        List<Tensor> tensors = new ArrayList<>();
        long in = input[0];
        long h = input[1];
        long w = input[2];
        for (int b = 0; b < channels.size(); b++) {
            long out = channels.get(b);
            String conv = "features." + (4 * b);
            tensors.add(Tensor.parameter(conv + ".weight", out, in, 3, 3));
            tensors.add(Tensor.parameter(conv + ".bias", out));
            batchNorm(tensors, "features." + (4 * b + 1), out);
            in = out;
            h /= 2;
            w /= 2;
            if (h == 0 || w == 0) {
                throw new IllegalArgumentException("vgg with " + channels.size() + " blocks pools "
                        + input[1] + "x" + input[2] + " inputs down to nothing");
            }
        }
        tensors.add(Tensor.parameter("classifier.weight", classes, in * h * w));
        tensors.add(Tensor.parameter("classifier.bias", classes));
        return List.copyOf(tensors);
    }

    /** dnn-mode-connectivity's PreResNet: conv1, layer1..3 of basic blocks (bn1, conv1, bn2, conv2, downsample), bn,
     * fc. Convolutions have no bias; without skips there is no downsample. */
    public static List<Tensor> preResNet(long[] input, int depth, boolean skips, long classes) {
        if (input.length != 3) {
            throw new IllegalArgumentException("preresnet needs images [channels, height, width], got "
                    + input.length + "-D samples");
        }
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new IllegalArgumentException("preresnet depth must be 6n + 2, got " + depth);
        }
        int blocks = (depth - 2) / 6;
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(Tensor.parameter("conv1.weight", PRERESNET_WIDTHS[0], input[0], 3, 3));
        long in = PRERESNET_WIDTHS[0];
        for (int stage = 0; stage < 3; stage++) {
            long out = PRERESNET_WIDTHS[stage];
            for (int b = 0; b < blocks; b++) {
                String block = "layer" + (stage + 1) + "." + b;
                batchNorm(tensors, block + ".bn1", in);
                tensors.add(Tensor.parameter(block + ".conv1.weight", out, in, 3, 3));
                batchNorm(tensors, block + ".bn2", out);
                tensors.add(Tensor.parameter(block + ".conv2.weight", out, out, 3, 3));
                if (skips && stage > 0 && b == 0) {
                    tensors.add(Tensor.parameter(block + ".downsample.0.weight", out, in, 1, 1));
                }
                in = out;
            }
        }
        batchNorm(tensors, "bn", in);
        tensors.add(Tensor.parameter("fc.weight", classes, in));
        tensors.add(Tensor.parameter("fc.bias", classes));
        return List.copyOf(tensors);
    }

    /** PyTorch's BatchNorm1d/2d: weight, bias, running_mean, running_var, num_batches_tracked. */
    private static void batchNorm(List<Tensor> tensors, String prefix, long channels) {
        tensors.add(Tensor.parameter(prefix + ".weight", channels));
        tensors.add(Tensor.parameter(prefix + ".bias", channels));
        tensors.add(Tensor.buffer(prefix + ".running_mean", "F32", channels));
        tensors.add(Tensor.buffer(prefix + ".running_var", "F32", channels));
        tensors.add(Tensor.buffer(prefix + ".num_batches_tracked", "I64"));
    }
}
