package dev.valley.worker.science.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import dev.valley.worker.science.train.NoGrad;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A user's TorchScript module as an {@link Architecture}: a function of named weights like the built-in networks,
 * so that training, curves, averages and planes treat it as a set of named tensors, as dnn-mode-connectivity and
 * loss-landscape do with any {@code nn.Module}.
 *
 * <p>A forward pass first binds the given weights to the module ({@link TorchScriptArchive#BIND}): its parameter
 * and buffer attributes become the caller's tensors themselves, on the device, with no copy. The module then
 * computes with them, autograd's gradient lands on them (checked against PyTorch's for every parameter in
 * {@code TorchScriptNetworkTest}), and its batch norms update their statistics in place. The weights stay bound
 * until other weights are; the archive's own tensors are kept aside, for {@link #archiveWeights}.
 *
 * <p>Training mode follows {@link Mode}: {@code TRAIN} and {@code MEASURE} run the module in {@code train()} mode
 * (dropout drops, batch norm uses the batch), {@code EVAL} in {@code eval()} mode.
 *
 * <p>{@code MEASURE} must leave each batch's own statistics in the running buffers, as
 * {@code torch.optim.swa_utils.update_bn} obtains them by setting momentum to None. A scripted module compiles its
 * momentum into its code, so it cannot be changed; instead the running mean, variance and batch counter are zeroed
 * before the pass, after which PyTorch's update leaves momentum × the batch's statistics (or the statistics
 * themselves, for a module whose momentum is None), and they are divided by that factor.
 *
 * <p>Not thread-safe: one module, bound before every pass.
 */
public final class TorchScriptNetwork implements Architecture, AutoCloseable {
    private final NDManager manager;
    private final PtSymbolBlock module;
    private final List<TensorSpec> tensors;
    /** Copies of the archive's own tensors, by state_dict name. */
    private final Map<String, NDArray> original;
    /** Batch-norm running means and variances → the factor a training pass scales the batch's statistics by. */
    private final Map<String, Double> statistics;
    /** The batch counters of the modules in {@link #statistics}. */
    private final List<String> counters;
    private final Map<String, String> metadata;
    /** The weights bound to the module now; null before the first pass. */
    private Weights bound;
    /** Their parameters that need no gradient. */
    private final List<PtNDArray> frozen = new ArrayList<>();
    /** The module's mode as last set here; null before the first pass. */
    private Boolean training;

    private TorchScriptNetwork(NDManager manager, PtSymbolBlock module, List<TensorSpec> tensors,
            Map<String, NDArray> original, Map<String, Double> statistics, List<String> counters,
            Map<String, String> metadata) {
        this.manager = manager;
        this.module = module;
        this.tensors = List.copyOf(tensors);
        this.original = original;
        this.statistics = statistics;
        this.counters = counters;
        this.metadata = metadata;
    }

    /**
     * Loads an archive ({@code torch.jit.save}'s zip) onto {@code parent}'s device. An archive that is not
     * TorchScript, or that libtorch refuses, is an {@link IllegalArgumentException} with the reason (libtorch's
     * own first line).
     */
    public static TorchScriptNetwork load(byte[] archive, NDManager parent, Map<String, String> metadata) {
        TorchScriptArchive source = TorchScriptArchive.read(archive);
        byte[] rewritten;
        try {
            rewritten = source.withValleyMethods();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the archive does not load: " + e.getMessage(), e);
        }
        NDManager manager = parent.newSubManager();
        try {
            PtSymbolBlock module;
            try {
                module = TorchScriptModules.load(manager, rewritten);
            } catch (UncheckedIOException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the archive does not load: " + firstLine(e.getMessage()), e);
            }
            return of(source, manager, module, metadata);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static TorchScriptNetwork of(TorchScriptArchive source, NDManager manager, PtSymbolBlock module,
            Map<String, String> metadata) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : module.getDirectParameters()) {
            NDArray array = p.getValue().getArray();
            parameters.put(p.getKey(), array);
        }
        List<String> bufferNames = source.buffers();
        NDArray[] buffers;
        try (IValue list = IValueUtils.runMethod(module, TorchScriptArchive.METHOD)) {
            buffers = list.toTensorArray((PtNDManager) manager);
        }
        if (buffers.length != bufferNames.size()) {
            throw new IllegalArgumentException("the module has " + buffers.length + " buffers where its source"
                    + " declares " + bufferNames.size());
        }
        // A parameter slot may hold None (a convolution without bias): the module's own list says which are set.
        List<TorchScriptArchive.Entry> entries = source.stateDictEntries().stream()
                .filter(e -> e.buffer() || parameters.containsKey(e.name())).toList();
        Set<String> declared = new LinkedHashSet<>();
        entries.stream().filter(e -> !e.buffer()).forEach(e -> declared.add(e.name()));
        if (!declared.equals(parameters.keySet())) {
            throw new IllegalArgumentException("the module's parameters " + parameters.keySet()
                    + " are not those its source declares " + declared);
        }
        Map<String, NDArray> original = new LinkedHashMap<>();
        List<TensorSpec> tensors = new ArrayList<>();
        Map<String, Double> statistics = new LinkedHashMap<>();
        List<String> counters = new ArrayList<>();
        for (TorchScriptArchive.Entry e : entries) {
            NDArray array = e.buffer() ? buffers[bufferNames.indexOf(e.name())] : parameters.get(e.name());
            NDArray copy = array.duplicate();
            copy.setRequiresGradient(false);
            original.put(e.name(), copy);
            tensors.add(new TensorSpec(e.name(), array.getShape(),
                    e.buffer() ? TensorSpec.Role.BUFFER : TensorSpec.Role.PARAMETER, array.getDataType()));
            OptionalDouble factor = e.buffer() ? source.batchNormFactor(e.owner()) : OptionalDouble.empty();
            String leaf = e.path().get(e.path().size() - 1);
            if (factor.isPresent() && factor.getAsDouble() > 0
                    && (leaf.equals("running_mean") || leaf.equals("running_var"))) {
                statistics.put(e.name(), factor.getAsDouble());
            } else if (factor.isPresent() && leaf.equals("num_batches_tracked")) {
                counters.add(e.name());
            }
        }
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent("arch", "torchscript");
        meta.put("class", source.topClass());
        return new TorchScriptNetwork(manager, module, tensors, original, statistics, counters, meta);
    }

    /**
     * libtorch's reason for a failed pass: the interpreter's message ends with the Python-style error line
     * ("RuntimeError: …") after a traceback of the module's source; that line, or the last one.
     */
    public static String reason(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        List<String> lines = message.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        return lines.stream().filter(l -> l.matches("^[A-Za-z]*(Error|Exception): .*")).reduce((a, b) -> b)
                .orElse(lines.get(lines.size() - 1));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String trimmed = message.strip();
        int end = trimmed.indexOf('\n');
        return end < 0 ? trimmed : trimmed.substring(0, end);
    }

    @Override
    public List<TensorSpec> tensors() {
        return tensors;
    }

    /** The running means and variances of PyTorch's batch norms, and the factor by which {@link Mode#MEASURE}
     * recovers a batch's statistics from them. */
    public Map<String, Double> batchNormStatistics() {
        return java.util.Collections.unmodifiableMap(statistics);
    }

    @Override
    public boolean hasBatchNorm() {
        return !statistics.isEmpty();
    }

    @Override
    public NDArray forward(Weights weights, NDArray x, Mode mode) {
        bind(weights);
        if (mode == Mode.MEASURE) {
            try (NoGrad noGrad = NoGrad.enter()) {
                for (String name : statistics.keySet()) {
                    weights.get(name).muli(0);
                }
                for (String name : counters) {
                    weights.get(name).muli(0);
                }
            }
        }
        train(mode.usesBatchStatistics());
        NDArray out;
        try {
            // Not PtSymbolBlock.forward, which switches the module's mode by a flag of its own. "Training" to DJL:
            // its other pass runs under a guard that some operations (layer_norm) refuse to mix with tensors that
            // need gradients. Autograd is on or off as the thread has it.
            out = IValueUtils.forward(module, new NDList(x), true).singletonOrThrow();
        } catch (ai.djl.engine.EngineException e) {
            throw new IllegalStateException("the module's forward on a batch of shape " + x.getShape() + " in "
                    + (mode.usesBatchStatistics() ? "train" : "eval") + " mode failed: " + reason(e.getMessage()), e);
        } finally {
            // That pass marks every parameter as needing gradients; the caller's tensors stay as they were.
            for (PtNDArray t : frozen) {
                t.setRequiresGradient(false);
            }
        }
        if (mode == Mode.MEASURE) {
            try (NoGrad noGrad = NoGrad.enter()) {
                statistics.forEach((name, factor) -> {
                    if (factor != 1) {
                        weights.get(name).divi(factor.floatValue());
                    }
                });
            }
        }
        return out;
    }

    /** {@code module.train()} or {@code module.eval()}, where it is not in that mode already. */
    private void train(boolean on) {
        if (training == null || training != on) {
            if (on) {
                JniUtils.enableTrainingMode(module);
            } else {
                JniUtils.enableInferenceMode(module);
            }
            training = on;
        }
    }

    /** The weights' tensors become the module's own ({@link TorchScriptArchive#BIND}), where others are bound. */
    private void bind(Weights weights) {
        if (weights == bound) {
            return;
        }
        PtNDArray[] list = new PtNDArray[tensors.size()];
        for (int i = 0; i < list.length; i++) {
            list[i] = (PtNDArray) weights.get(tensors.get(i).name());
        }
        try (IValue arguments = IValue.listFrom(list)) {
            IValueUtils.runMethod(module, TorchScriptArchive.BIND, arguments).close();
        }
        bound = weights;
        frozen.clear();
        for (int i = 0; i < list.length; i++) {
            if (tensors.get(i).isParameter() && !JniUtils.requiresGrad(list[i])) {
                frozen.add(list[i]);
            }
        }
    }

    /** No first layer is assumed linear in its weights: a grid evaluates every point with a full forward pass. */
    @Override
    public String firstWeight() {
        return null;
    }

    @Override
    public String firstBias() {
        return null;
    }

    @Override
    public NDArray first(NDArray x, NDArray weight, NDArray bias) {
        throw new UnsupportedOperationException("a TorchScript module is evaluated whole");
    }

    @Override
    public NDArray rest(Weights weights, NDArray firstOutput, Mode mode) {
        throw new UnsupportedOperationException("a TorchScript module is evaluated whole");
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public String describe() {
        return "torchscript " + metadata.get("class");
    }

    /** The archive's own weights and buffers, copied (the module's tensors stay the module's). */
    public Weights archiveWeights(NDManager parent) {
        NDManager scope = parent.newSubManager();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        for (TensorSpec spec : tensors) {
            NDArray copy = original.get(spec.name()).duplicate();
            copy.attach(scope);
            copy.setRequiresGradient(spec.isParameter());
            copies.put(spec.name(), copy);
        }
        return Weights.view(this, scope, copies);
    }

    /** How {@link #initialize} sets a tensor. */
    public enum Rule {
        /** U(±1/√fan-in), fan-in the product of the shape after its first dimension: PyTorch's Kaiming-uniform
         * with a = √5 for a weight of 2 or more dimensions. */
        KAIMING_UNIFORM,
        /** U(±1/√fan-in) of the sibling weight: a Linear's or convolution's bias. */
        BIAS,
        /** 1: a one-dimensional normalisation weight, or a running variance. */
        ONE,
        /** 0: a one-dimensional normalisation bias, a running mean, a batch counter. */
        ZERO,
        /** No rule fits: the archive's own values are kept. */
        ARCHIVE
    }

    /** The rule {@link #initialize} follows for {@code spec}. */
    public Rule rule(TensorSpec spec) {
        String name = spec.name();
        if (!spec.isParameter()) {
            if (statistics.containsKey(name)) {
                return name.endsWith("running_var") ? Rule.ONE : Rule.ZERO;
            }
            return counters.contains(name) ? Rule.ZERO : Rule.ARCHIVE;
        }
        int dims = spec.shape().dimension();
        if (dims >= 2) {
            return Rule.KAIMING_UNIFORM;
        }
        String leaf = name.substring(name.lastIndexOf('.') + 1);
        TensorSpec sibling = weightBeside(spec);
        if (dims == 1 && leaf.equals("bias")) {
            return sibling != null && sibling.shape().dimension() >= 2 ? Rule.BIAS
                    : sibling != null ? Rule.ZERO : Rule.ARCHIVE;
        }
        if (dims == 1 && leaf.equals("weight")) {
            return Rule.ONE;
        }
        return Rule.ARCHIVE;
    }

    /** The {@code weight} of the module that holds {@code spec} ({@code blocks.0.conv.weight} beside
     * {@code blocks.0.conv.bias}, {@code weight} beside a top-level {@code bias}), or null. */
    private TensorSpec weightBeside(TensorSpec spec) {
        String prefix = spec.name().substring(0, spec.name().lastIndexOf('.') + 1);
        return tensors.stream().filter(t -> t.name().equals(prefix + "weight")).findFirst().orElse(null);
    }

    @Override
    public long fanIn(TensorSpec spec) {
        Rule rule = rule(spec);
        long[] shape;
        if (rule == Rule.KAIMING_UNIFORM) {
            shape = spec.shape().getShape();
        } else if (rule == Rule.BIAS) {
            shape = weightBeside(spec).shape().getShape();
        } else {
            return 0;
        }
        long fanIn = 1;
        for (int i = 1; i < shape.length; i++) {
            fanIn *= shape[i];
        }
        return fanIn;
    }

    /**
     * Fresh weights by PyTorch's default rules ({@link Rule}), drawn on the host from {@code seed} so that a seed
     * gives the same network on every device; a tensor no rule fits keeps the archive's values.
     */
    @Override
    public Weights initialize(NDManager parent, long seed) {
        NDManager scope = parent.newSubManager();
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NDArray> fresh = new LinkedHashMap<>();
        for (TensorSpec spec : tensors) {
            NDArray array = switch (rule(spec)) {
                case KAIMING_UNIFORM, BIAS -> Architecture.uniform(scope, spec.shape(), fanIn(spec), random)
                        .toType(spec.dataType(), false);
                case ONE -> scope.ones(spec.shape(), spec.dataType());
                case ZERO -> scope.zeros(spec.shape(), spec.dataType());
                case ARCHIVE -> original.get(spec.name()).duplicate();
            };
            array.attach(scope);
            array.setRequiresGradient(spec.isParameter());
            fresh.put(spec.name(), array);
        }
        return Weights.view(this, scope, fresh);
    }

    /** The module with {@code weights} in it, as a TorchScript archive that {@code torch.jit.load} reads. */
    public byte[] save(Weights weights) {
        bind(weights);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JniUtils.writeModule(module, out, false);
        return out.toByteArray();
    }

    @Override
    public void close() {
        manager.close();
    }
}
