package dev.valley.model.layout;

import dev.valley.model.job.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which axes of which tensors one permutation of hidden units moves together, as Git Re-Basin's permutation specs
 * (Ainsworth et al. 2023, {@code weight_matching.py}) say it: permuting a layer's units reorders its weight's rows,
 * its bias and its batch norm's weight, bias and running statistics, and the next layer's weight's columns. The
 * network computes the same function whatever permutation each group takes.
 *
 * <p>{@code expand}: a unit covers that many consecutive indices of the axis (a channel of a feature map flattened
 * into a classifier's input covers height × width of them).
 *
 * <p>It is built from the tensors' names and shapes alone ({@link ModelLayout}), so that the api-service checks a
 * spec that names a permutation against the same groups the worker permutes.
 */
public record PermutationSpec(List<Group> groups) {

    /** One tensor axis a group permutes. */
    public record Axis(String tensor, int axis, int expand) {
    }

    /** A permutation of {@code size} units, named after the layer whose outputs it permutes. */
    public record Group(String name, int size, List<Axis> axes) {
    }

    /** Each tensor's permuted axes, with the group of each. */
    public Map<String, List<Map.Entry<Group, Axis>>> byTensor() {
        Map<String, List<Map.Entry<Group, Axis>>> out = new LinkedHashMap<>();
        for (Group g : groups) {
            for (Axis a : g.axes()) {
                out.computeIfAbsent(a.tensor(), k -> new ArrayList<>()).add(Map.entry(g, a));
            }
        }
        return out;
    }

    public Group group(String name) {
        return groups.stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no permutation " + name));
    }

    /**
     * The group that permutes {@code layer}: a group's name, or the prefix of a layer whose outputs a group permutes
     * ({@code layer1.0.conv2} is the residual stream {@code stream1} with skips). Throws, naming every group, when
     * there is none.
     */
    public Group resolve(String layer) {
        for (Group g : groups) {
            if (g.name().equals(layer)) {
                return g;
            }
        }
        for (Group g : groups) {
            for (Axis a : g.axes()) {
                if (a.axis() == 0 && a.tensor().startsWith(layer + ".")
                        && a.tensor().indexOf('.', layer.length() + 1) < 0) {
                    return g;
                }
            }
        }
        throw new IllegalArgumentException("'" + layer + "' is no layer with hidden units to permute; this network's"
                + " are " + String.join(", ", groups.stream().map(Group::name).toList()));
    }

    /** The spec of a built-in architecture ({@link ModelSpec#arch}) with these tensors, by name in order. */
    public static PermutationSpec of(ModelSpec model, List<ModelLayout.Tensor> tensors) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach(t -> shapes.put(t.name(), t.shape()));
        return of(model.arch(), shapes);
    }

    /**
     * The spec of the built-in architecture {@code arch} whose tensors have these shapes; a TorchScript module's
     * units are not declared, so it has none.
     */
    public static PermutationSpec of(String arch, Map<String, long[]> shapes) {
        Builder b = new Builder(shapes);
        switch (arch == null ? "" : arch) {
            case ModelSpec.MLP -> {
                int layers = b.count("layers.%d.weight");
                for (int i = 0; i < layers - 1; i++) {
                    String layer = "layers." + i;
                    b.group(layer).out(layer + ".weight").out(layer + ".bias").in("layers." + (i + 1) + ".weight", 1);
                }
            }
            case ModelSpec.VGG -> {
                int blocks = b.count("features.%d.weight", 4);
                for (int k = 0; k < blocks; k++) {
                    String conv = "features." + 4 * k;
                    Builder.Open g = b.group(conv).out(conv + ".weight").out(conv + ".bias")
                            .batchNorm("features." + (4 * k + 1));
                    if (k + 1 < blocks) {
                        g.in("features." + 4 * (k + 1) + ".weight", 1);
                    } else {
                        long channels = b.shape(conv + ".weight")[0];
                        g.in("classifier.weight", (int) (b.shape("classifier.weight")[1] / channels));
                    }
                }
            }
            case ModelSpec.PRERESNET -> preResNet(b);
            default -> throw new IllegalArgumentException((arch == null ? "this network" : arch)
                    + " declares no hidden units to permute; only the built-in architectures (mlp, vgg, preresnet)"
                    + " do");
        }
        return new PermutationSpec(List.copyOf(b.groups));
    }

    /**
     * With skips, the channels of a stage's residual stream are one permutation ({@code stream1..3}): everything
     * added into the stream (the stem or the stage's downsample, and every block's conv2) writes it, and everything
     * that reads the stream (each block's bn1, conv1 and the next stage's downsample; at the end bn and fc) reads it.
     * A block's inner channels (conv1's outputs, bn2, conv2's inputs) are a permutation of their own. Without skips
     * every convolution's outputs are free.
     */
    private static void preResNet(Builder b) {
        boolean skips = b.has("layer2.0.downsample.0.weight");
        int blocks = b.count("layer1.%d.conv1.weight");
        List<String> blockNames = new ArrayList<>();
        for (int stage = 1; stage <= 3; stage++) {
            for (int k = 0; k < blocks; k++) {
                blockNames.add("layer" + stage + "." + k);
            }
        }
        // The tensor whose outputs feed the first block, and the open group of what reads them.
        Builder.Open stream = b.group(skips ? "stream1" : "conv1").out("conv1.weight");
        for (String block : blockNames) {
            boolean newStage = block.endsWith(".0") && !block.startsWith("layer1");
            // A block's bn1 and conv1 read its input: the stream so far, also for a stage's first block.
            stream.batchNorm(block + ".bn1").in(block + ".conv1.weight", 1);
            if (skips && newStage) {
                stream.in(block + ".downsample.0.weight", 1);
                stream = b.group("stream" + block.charAt(5)).out(block + ".downsample.0.weight");
            }
            b.group(block + ".conv1").out(block + ".conv1.weight").batchNorm(block + ".bn2")
                    .in(block + ".conv2.weight", 1);
            if (skips) {
                stream.out(block + ".conv2.weight");
            } else {
                stream = b.group(block + ".conv2").out(block + ".conv2.weight");
            }
        }
        stream.batchNorm("bn").in("fc.weight", 1);
    }

    /** Collects groups, checking each tensor it names against the architecture. */
    private static final class Builder {
        private final Map<String, long[]> shapes;
        private final List<Group> groups = new ArrayList<>();

        Builder(Map<String, long[]> shapes) {
            this.shapes = shapes;
        }

        boolean has(String tensor) {
            return shapes.containsKey(tensor);
        }

        long[] shape(String tensor) {
            long[] shape = shapes.get(tensor);
            if (shape == null) {
                throw new IllegalStateException("no tensor " + tensor);
            }
            return shape;
        }

        int count(String pattern) {
            return count(pattern, 1);
        }

        /** How many of {@code pattern}'s names, numbered 0, step, 2·step, …, there are. */
        int count(String pattern, int step) {
            int n = 0;
            while (has(String.format(pattern, n * step))) {
                n++;
            }
            return n;
        }

        Open group(String name) {
            return new Open(name);
        }

        /** A group being built: its size is its first tensor's output dimension. */
        final class Open {
            private final String name;
            private final List<Axis> axes = new ArrayList<>();
            private Group group;

            Open(String name) {
                this.name = name;
            }

            /** The tensor's dimension 0: the units' outputs (rows, output channels, a bias). */
            Open out(String tensor) {
                return axis(tensor, 0, 1);
            }

            /** Dimension 1 of the next layer: the units as its inputs, each over {@code expand} consecutive
             * ones. */
            Open in(String tensor, int expand) {
                return axis(tensor, 1, expand);
            }

            Open batchNorm(String prefix) {
                for (String leaf : List.of("weight", "bias", "running_mean", "running_var")) {
                    out(prefix + "." + leaf);
                }
                return this;
            }

            private Open axis(String tensor, int axis, int expand) {
                long length = shape(tensor)[axis];
                if (group == null) {
                    group = new Group(name, (int) (length / expand), axes);
                    groups.add(group);
                }
                if (length != (long) group.size() * expand) {
                    throw new IllegalStateException(tensor + " axis " + axis + " has " + length + " entries, not "
                            + group.size() + " units × " + expand);
                }
                axes.add(new Axis(tensor, axis, expand));
                return this;
            }
        }
    }
}
