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
import java.util.stream.Collectors;

/**
 * A small VGG-style net with batch norm, laid out as PyTorch's {@code nn.Sequential}: block b is
 * {@code features.{4b}} Conv2d(3x3, padding 1), {@code features.{4b+1}} BatchNorm2d, ReLU, MaxPool2d(2); then
 * {@code classifier} Linear on the flattened features.
 */
public final class Vgg implements Architecture {
    private static final Shape KERNEL = new Shape(3, 3);
    private static final Shape STRIDE = new Shape(1, 1);
    private static final Shape PADDING = new Shape(1, 1);
    private static final Shape POOL = new Shape(2, 2);
    private static final Shape NO_PADDING = new Shape(0, 0);

    private final long[] input;
    private final List<Integer> channels;
    private final long classes;
    private final long flat;
    private final List<TensorSpec> tensors;

    /** {@code input} is [channels, height, width]. */
    public Vgg(long[] input, List<Integer> channels, long classes) {
        this.input = input.clone();
        this.channels = List.copyOf(channels);
        this.classes = classes;
        tensors = TensorSpec.of(ModelLayout.vgg(input, channels, classes));
        flat = tensors.get(tensors.size() - 2).shape().get(1);
    }

    @Override
    public List<TensorSpec> tensors() {
        return tensors;
    }

    /** The first block's feature maps, before pooling: every later block has a quarter of the positions. */
    @Override
    public long widestActivation() {
        return channels.get(0) * input[1] * input[2];
    }

    @Override
    public String firstWeight() {
        return "features.0.weight";
    }

    @Override
    public String firstBias() {
        return "features.0.bias";
    }

    @Override
    public NDArray first(NDArray x, NDArray weight, NDArray bias) {
        return Architecture.convolveImages(x, input, weight, bias);
    }

    @Override
    public NDArray rest(Weights w, NDArray firstOutput, Mode mode) {
        long n = firstOutput.getShape().get(0);
        NDArray h = firstOutput;
        for (int b = 0; b < channels.size(); b++) {
            String conv = "features." + (4 * b);
            String bn = "features." + (4 * b + 1);
            if (b > 0) {
                h = Conv2d.conv2d(h, w.get(conv + ".weight"), w.get(conv + ".bias"), STRIDE, PADDING)
                        .singletonOrThrow();
            }
            h = BatchNorms.apply(h, w, bn, mode);
            h = Activation.relu(h);
            h = Pool.maxPool2d(h, POOL, POOL, NO_PADDING, false);
        }
        return Linear.linear(h.reshape(n, flat), w.get("classifier.weight"), w.get("classifier.bias")).singletonOrThrow();
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("arch", "vgg", "channels", channelsText(), "input", input[0] + "x" + input[1] + "x" + input[2],
                "classes", Long.toString(classes));
    }

    @Override
    public String describe() {
        return "vgg " + channelsText() + " on " + input[0] + "x" + input[1] + "x" + input[2];
    }

    private String channelsText() {
        return channels.stream().map(String::valueOf).collect(Collectors.joining("-"));
    }
}
