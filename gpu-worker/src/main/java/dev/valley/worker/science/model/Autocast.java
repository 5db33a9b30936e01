package dev.valley.worker.science.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.valley.model.job.Precision;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * bfloat16 forward passes of the built-in architectures, as {@code torch.autocast("cuda", torch.bfloat16)} runs
 * them: the weights stay float32 and are cast for each pass; products, convolutions, activations and pooling run in
 * bfloat16; batch norm normalises bfloat16 activations with its float32 parameters and statistics (PyTorch's mixed
 * {@code batch_norm}, which updates the float32 running statistics); the logits come back as float32, so the loss,
 * the start of its gradient and every metric are float32. Gradients reach the float32 weights through the casts.
 *
 * <p>The casts are a TorchScript method's ({@code precision-cast.pt}, made by {@code tools/make_worker_modules.py}):
 * DJL 0.36's JNI maps only its first nine data types to torch's, so {@code toType(BFLOAT16)} ends in
 * {@code std::terminate}, and its {@code toType} detaches from autograd. A bfloat16 array reports
 * {@code DataType.UNKNOWN} to DJL; nothing here asks one for its type or makes an array like it.
 *
 * <p>On CUDA, and on a CPU for MLPs only ({@link #forPrecision}): on these AVX-512 CPUs libtorch 2.7.1's oneDNN
 * computes bfloat16 convolutions wrongly (55 to 67 % relative error against float32, 0.3 % with
 * {@code DNNL_MAX_CPU_ISA=AVX2}), while its bfloat16 matrix products are right, and faster than float32's there.
 */
public final class Autocast implements AutoCloseable {
    private static final String RESOURCE = "precision-cast.pt";
    private static final String HOLD = "valley_hold";
    private final NDManager manager;
    private final PtSymbolBlock module;
    /** The module's direction: one element casts to bfloat16, none to float32. */
    private final NDArray toBf16;
    private final NDArray toFloat32;
    private final Map<Architecture, Set<String>> castNames = new IdentityHashMap<>();
    private final Map<Architecture, Lowered> lowered = new IdentityHashMap<>();

    private Autocast(NDManager manager, PtSymbolBlock module) {
        this.manager = manager;
        this.module = module;
        this.toBf16 = manager.zeros(new Shape(1));
        this.toFloat32 = manager.zeros(new Shape(0));
    }

    /**
     * The autocast a job with {@code precision} runs {@code architecture} with on {@code parent}'s device: null for
     * fp32. bf16 for a TorchScript module, or for a network with convolutions on a CPU, is refused with the reason,
     * naming the field.
     */
    public static Autocast forPrecision(String precision, Architecture architecture, NDManager parent) {
        if (precision == null || Precision.FP32.equals(precision)) {
            return null;
        }
        if (!Precision.BF16.equals(precision)) {
            throw new IllegalArgumentException("precision: must be one of: fp32, bf16");
        }
        if (architecture instanceof TorchScriptNetwork) {
            throw new IllegalArgumentException("precision: bf16 is for the built-in architectures; a TorchScript "
                    + "module runs as it was exported");
        }
        Device device = parent.getDevice();
        if (!device.isGpu() && !(architecture instanceof Mlp)) {
            throw new IllegalArgumentException("precision: bf16 runs on CUDA, and on a CPU only for mlp (libtorch "
                    + "2.7.1 computes bfloat16 convolutions wrongly on AVX-512 CPUs); this worker's device is "
                    + device + ": submit the job to a GPU pool, or with fp32");
        }
        return load(parent);
    }

    /** The casts on {@code parent}'s device, whatever it is: {@link #forPrecision} decides where they may run. */
    public static Autocast load(NDManager parent) {
        NDManager manager = parent.newSubManager();
        try {
            return new Autocast(manager, TorchScriptModules.resource(manager, Autocast.class, RESOURCE));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** {@code weights}' network on {@code x} with bfloat16 arithmetic: float32 logits, in {@code x}'s manager. */
    public NDArray forward(Weights weights, NDArray x, Mode mode) {
        NDManager scope = x.getManager();
        List<String> names = new ArrayList<>(lowered(weights.architecture()));
        List<NDArray> tensors = new ArrayList<>();
        names.forEach(n -> tensors.add(weights.get(n)));
        tensors.add(x);
        NDList low = cast(toBf16, tensors, scope);
        Weights w = Weights.view(weights.architecture(), scope, replaced(weights, names, low));
        return toFloat32(weights.architecture().forward(w, low.get(names.size()), mode));
    }

    /**
     * {@code weights} seen in bfloat16 for passes to come (a grid point's, evaluated batch by batch): its parameters
     * but batch norm's cast once, in a sub-manager of {@code parent} that closing the view frees. The view's
     * architecture takes float32 inputs and gives float32 logits ({@link Lowered}), so that whatever evaluates
     * weights (an evaluation, a batch-norm pass) runs it in bf16 unchanged.
     */
    public Weights lower(Weights weights, NDManager parent) {
        NDManager scope = parent.newSubManager();
        List<String> names = new ArrayList<>(lowered(weights.architecture()));
        NDList low = cast(toBf16, names.stream().map(weights::get).toList(), scope);
        return Weights.view(lowered.computeIfAbsent(weights.architecture(), Lowered::new), scope,
                replaced(weights, names, low));
    }

    /** {@code weights}' tensors with those named {@code names} replaced by the first of {@code low}, in order. */
    private static Map<String, NDArray> replaced(Weights weights, List<String> names, NDList low) {
        Map<String, NDArray> view = new LinkedHashMap<>(weights.tensors());
        for (int i = 0; i < names.size(); i++) {
            view.put(names.get(i), low.get(i));
        }
        return view;
    }

    /** The architecture of {@link #lower}ed weights: float32 in and out, the layers between in bfloat16. */
    private final class Lowered implements Architecture {
        private final Architecture inner;

        Lowered(Architecture inner) {
            this.inner = inner;
        }

        @Override
        public List<TensorSpec> tensors() {
            return inner.tensors();
        }

        @Override
        public NDArray forward(Weights weights, NDArray x, Mode mode) {
            NDArray low = cast(toBf16, List.of(x), x.getManager()).singletonOrThrow();
            return toFloat32(inner.forward(weights, low, mode));
        }

        @Override
        public String firstWeight() {
            return inner.firstWeight();
        }

        @Override
        public String firstBias() {
            return inner.firstBias();
        }

        @Override
        public NDArray first(NDArray x, NDArray weight, NDArray bias) {
            return inner.first(x, weight, bias);
        }

        @Override
        public NDArray rest(Weights weights, NDArray firstOutput, Mode mode) {
            NDArray low = cast(toBf16, List.of(firstOutput), firstOutput.getManager()).singletonOrThrow();
            return toFloat32(inner.rest(weights, low, mode));
        }

        @Override
        public long widestActivation() {
            return inner.widestActivation();
        }

        @Override
        public Map<String, String> metadata() {
            return inner.metadata();
        }

        @Override
        public String describe() {
            return inner.describe() + " in bf16";
        }
    }

    /** A bfloat16 array as float32, in its manager; autograd runs through. */
    public NDArray toFloat32(NDArray x) {
        return cast(toFloat32, List.of(x), x.getManager()).singletonOrThrow();
    }

    private NDList cast(NDArray direction, List<NDArray> tensors, NDManager into) {
        PtNDArray[] list = tensors.stream().map(t -> (PtNDArray) t).toArray(PtNDArray[]::new);
        try (IValue held = IValue.listFrom(list)) {
            IValueUtils.runMethod(module, HOLD, held).close();
        }
        NDList out = IValueUtils.forward(module, new NDList(direction), true);
        out.attach(into);
        return out;
    }

    /** The parameters a pass casts: all but batch norm's weight and bias (as autocast leaves batch_norm's). */
    private Set<String> lowered(Architecture architecture) {
        return castNames.computeIfAbsent(architecture, a -> {
            Set<String> norms = new HashSet<>();
            for (TensorSpec spec : a.tensors()) {
                if (spec.name().endsWith(".running_mean")) {
                    norms.add(spec.name().substring(0, spec.name().length() - ".running_mean".length()));
                }
            }
            Set<String> names = new LinkedHashSet<>();
            for (TensorSpec spec : a.tensors()) {
                String layer = spec.name().substring(0, spec.name().lastIndexOf('.'));
                if (spec.isParameter() && !norms.contains(layer)) {
                    names.add(spec.name());
                }
            }
            return names;
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
