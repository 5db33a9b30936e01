package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.valley.model.layout.ModelLayout;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Input flattened, then Linear layers {@code layers.{i}} (weight [out, in], bias [out]) for i = 0..k with ReLU
 * between them; logits out. Loads into a {@code torch.nn.ModuleList} named {@code layers} of {@code nn.Linear}.
 */
public final class Mlp implements Architecture {
    private final long[] sizes;
    private final List<TensorSpec> tensors;

    public Mlp(long inputs, List<Integer> hidden, long classes) {
        sizes = ModelLayout.mlpSizes(inputs, hidden, classes);
        tensors = TensorSpec.of(ModelLayout.mlp(sizes));
    }

    @Override
    public List<TensorSpec> tensors() {
        return tensors;
    }

    @Override
    public long widestActivation() {
        return java.util.Arrays.stream(sizes).max().orElseThrow();
    }

    @Override
    public String firstWeight() {
        return "layers.0.weight";
    }

    @Override
    public String firstBias() {
        return "layers.0.bias";
    }

    @Override
    public NDArray first(NDArray x, NDArray weight, NDArray bias) {
        NDArray h = x.getShape().dimension() == 2 ? x : x.reshape(x.getShape().get(0), sizes[0]);
        return (bias == null ? Linear.linear(h, weight) : Linear.linear(h, weight, bias)).singletonOrThrow();
    }

    @Override
    public NDArray rest(Weights w, NDArray firstOutput, Mode mode) {
        NDArray h = firstOutput;
        int layers = sizes.length - 1;
        for (int i = 1; i < layers; i++) {
            h = Activation.relu(h);
            h = Linear.linear(h, w.get("layers." + i + ".weight"), w.get("layers." + i + ".bias")).singletonOrThrow();
        }
        return h;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("arch", "mlp", "sizes", sizesText());
    }

    @Override
    public String describe() {
        return "mlp " + sizesText();
    }

    private String sizesText() {
        return java.util.Arrays.stream(sizes).mapToObj(Long::toString).collect(Collectors.joining("-"));
    }
}
