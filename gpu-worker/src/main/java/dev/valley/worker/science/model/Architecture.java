package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.valley.model.layout.PermutationSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A network as a function of explicitly named weights. Tensor names and layouts are PyTorch's, so that a
 * state_dict saved as safetensors loads on either side.
 */
public interface Architecture {

    /** Every tensor, parameters and buffers, in a stable order. */
    List<TensorSpec> tensors();

    /** Logits for a batch {@code x} of shape [N, ...sampleShape]; {@code mode} says what batch norm does. */
    default NDArray forward(Weights weights, NDArray x, Mode mode) {
        String bias = firstBias();
        return rest(weights, first(x, weights.get(firstWeight()), bias == null ? null : weights.get(bias)), mode);
    }

    /** The name of the first layer's weight. Every network here starts with a layer that is linear in its weight
     * and bias (a Linear or a convolution): a grid uses that to compute X·W1ᵀ, X·Uᵀ and X·Vᵀ once, where a point
     * would otherwise pay for X·W(x, y)ᵀ. */
    String firstWeight();

    /** The first layer's bias, or null where it has none. */
    String firstBias();

    /** The first layer alone on a batch of samples, with the given weight and bias (null: none). */
    NDArray first(NDArray x, NDArray weight, NDArray bias);

    /** The rest of the network from the first layer's output (bias included) to the logits. */
    NDArray rest(Weights weights, NDArray firstOutput, Mode mode);

    /** A first 3×3 convolution (stride 1, padding 1) of samples viewed as [n, channels, height, width] images. */
    static NDArray convolveImages(NDArray x, long[] input, NDArray weight, NDArray bias) {
        long n = x.getShape().get(0);
        NDArray images = x.getShape().dimension() == 4 ? x : x.reshape(n, input[0], input[1], input[2]);
        return Conv2d.conv2d(images, weight, bias, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
    }

    /**
     * Floats per example in the network's widest intermediate tensor (a conv net's first feature maps, an MLP's widest
     * layer), which sizes evaluation batches ({@link dev.valley.worker.science.train.EvaluationBatch}); 0 where it is
     * not known (a TorchScript module).
     */
    default long widestActivation() {
        return 0;
    }

    /** Whether any tensor is a batch-norm statistic, to be recomputed for weights that were never trained as such
     * (a curve point, an average, a grid point). */
    default boolean hasBatchNorm() {
        return tensors().stream().anyMatch(s -> !s.isParameter());
    }

    /** The permutations of hidden units that leave the function unchanged; only the built-in networks declare
     * them (a TorchScript module's units are unknown), and the rest throw. */
    default PermutationSpec permutations() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors().forEach(t -> shapes.put(t.name(), t.shape().getShape()));
        return PermutationSpec.of(metadata().get("arch"), shapes);
    }

    /** For the safetensors {@code __metadata__}: the architecture's name ({@code arch}) and sizes. */
    Map<String, String> metadata();

    String describe();

    /** PyTorch's default initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases of Linear and
     * Conv2d; batch norm starts at weight 1, bias 0, mean 0, variance 1. Drawn on the host, so the same seed gives
     * the same network on every device. */
    default Weights initialize(NDManager parent, long seed) {
        NDManager manager = parent.newSubManager();
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (TensorSpec spec : tensors()) {
            tensors.put(spec.name(), initialTensor(manager, spec, random));
        }
        for (TensorSpec spec : tensors()) {
            if (spec.isParameter()) {
                tensors.get(spec.name()).setRequiresGradient(true);
            }
        }
        return new Weights(this, manager, tensors);
    }

    /** Batch-norm statistics as a fresh network has them (mean 0, variance 1, no batches), by name. */
    default Map<String, NDArray> freshBuffers(NDManager manager) {
        Map<String, NDArray> buffers = new LinkedHashMap<>();
        for (TensorSpec spec : tensors()) {
            if (!spec.isParameter()) {
                buffers.put(spec.name(), initialTensor(manager, spec, null));
            }
        }
        return buffers;
    }

    /**
     * Fan-in of the layer a parameter belongs to, for initialisation as PyTorch's defaults do it: in·k·k for a
     * convolution's weight and bias, in for a linear layer's; 0 for batch norm and buffers.
     */
    default long fanIn(TensorSpec spec) {
        if (!spec.isParameter()) {
            return 0;
        }
        String layer = spec.name().substring(0, spec.name().lastIndexOf('.'));
        long[] weight = tensors().stream().filter(t -> t.name().equals(layer + ".weight")).findFirst()
                .orElseThrow().shape().getShape();
        if (weight.length < 2) {
            return 0;
        }
        long fanIn = 1;
        for (int i = 1; i < weight.length; i++) {
            fanIn *= weight[i];
        }
        return fanIn;
    }

    private NDArray initialTensor(NDManager manager, TensorSpec spec, SplittableRandom random) {
        Shape shape = spec.shape();
        if (spec.dataType() == DataType.INT64) {
            return manager.zeros(shape, DataType.INT64);
        }
        String name = spec.name();
        if (name.endsWith("running_var")) {
            return manager.ones(shape);
        }
        if (name.endsWith("running_mean")) {
            return manager.zeros(shape);
        }
        long fanIn = fanIn(spec);
        if (fanIn == 0) {
            return name.endsWith("weight") ? manager.ones(shape) : manager.zeros(shape);
        }
        return uniform(manager, shape, fanIn, random);
    }

    /** U(−1/√fanIn, 1/√fanIn), float32, drawn on the host in order: PyTorch's default for Linear and conv layers. */
    static NDArray uniform(NDManager manager, Shape shape, long fanIn, SplittableRandom random) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return manager.create(values, shape);
    }

    /** Every name or shape that differs from this architecture's; empty when the tensors fit. */
    default List<String> mismatches(Map<String, NDArray> given) {
        List<String> problems = new ArrayList<>();
        for (TensorSpec spec : tensors()) {
            NDArray array = given.get(spec.name());
            if (array == null) {
                problems.add(spec.name() + " is missing");
            } else if (!array.getShape().equals(spec.shape())) {
                problems.add(spec.name() + " has shape " + array.getShape() + ", expected " + spec.shape());
            } else if (array.getDataType() != spec.dataType()) {
                problems.add(spec.name() + " is " + array.getDataType() + ", expected " + spec.dataType());
            }
        }
        for (String name : given.keySet()) {
            if (tensors().stream().noneMatch(s -> s.name().equals(name))) {
                problems.add(name + " is not part of the architecture");
            }
        }
        return problems;
    }
}
