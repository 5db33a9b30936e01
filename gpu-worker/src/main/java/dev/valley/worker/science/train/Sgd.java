package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import dev.valley.worker.science.model.TorchScriptModules;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and weight decay as {@code torch.optim.SGD} does it: g += wd·p; b = μ·b + g; p -= lr·b.
 * {@link #step()} is torch's foreach update run by a TorchScript method ({@code sgd-step.pt}, made by
 * {@code tools/make_worker_modules.py}): one call for every parameter, where DJL, which has no in-place arithmetic
 * with alpha, took eight calls and passes per parameter. {@link #apply} updates one parameter from a gradient
 * computed elsewhere (a curve's bends) with 0-d scalars that live as long as the optimiser: DJL's Number overloads
 * make a temporary per call, which costs several times more and (inside a GradientCollector) can be freed too early.
 */
public final class Sgd implements AutoCloseable {
    private static final String MODULE = "sgd-step.pt";
    private final List<NDArray> parameters;
    private final NDManager manager;
    private final List<NDArray> momentumBuffers = new ArrayList<>();
    private NDArray lr;
    private double rate;
    private final NDArray momentum;
    private final double momentumValue;
    private final NDArray weightDecay;
    private final double weightDecayValue;
    /** The foreach step, loaded at the first {@link #step()}, holding the parameters and the buffers. */
    private PtSymbolBlock stepper;

    public Sgd(List<NDArray> parameters, NDManager parent, double lr, double momentum, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.manager = parent.newSubManager();
        this.lr = manager.full(new Shape(), (float) lr);
        this.rate = lr;
        this.momentum = manager.full(new Shape(), (float) momentum);
        this.momentumValue = momentum;
        this.weightDecay = manager.full(new Shape(), (float) weightDecay);
        this.weightDecayValue = weightDecay;
        for (NDArray p : this.parameters) {
            momentumBuffers.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** For schedules that change the rate between epochs. */
    public void setLearningRate(double value) {
        NDArray previous = lr;
        lr = manager.full(new Shape(), (float) value);
        rate = value;
        previous.close();
    }

    /** Applies one step from the gradients of the last backward, then zeroes them (they accumulate otherwise); a
     * parameter without a gradient is left as it is, as torch leaves it. Call with autograd off ({@link NoGrad}). */
    public void step() {
        if (stepper == null) {
            stepper = TorchScriptModules.resource(manager, Sgd.class, MODULE);
            try (IValue held = IValue.listFrom(array(parameters)); IValue buffers = IValue.listFrom(
                    array(momentumBuffers))) {
                IValueUtils.runMethod(stepper, "valley_hold", held, buffers).close();
            }
        }
        try (IValue lrValue = IValue.from(rate); IValue momentumArgument = IValue.from(momentumValue);
                IValue decay = IValue.from(weightDecayValue)) {
            IValueUtils.runMethod(stepper, "valley_step", lrValue, momentumArgument, decay).close();
        }
    }

    private static PtNDArray[] array(List<NDArray> tensors) {
        return tensors.stream().map(t -> (PtNDArray) t).toArray(PtNDArray[]::new);
    }

    /**
     * One momentum step of parameter {@code i} with a gradient computed elsewhere, weight decay included by the
     * caller; {@code gradient} null means zero (the momentum still moves the parameter, as in torch when the
     * gradient is a zero tensor). Call with autograd off.
     */
    public void apply(int i, NDArray gradient) {
        NDArray buffer = momentumBuffers.get(i);
        buffer.muli(momentum);
        if (gradient != null) {
            buffer.addi(gradient);
        }
        try (NDArray delta = buffer.mul(lr)) {
            parameters.get(i).subi(delta);
        }
    }

    /** The momentum buffer of parameter {@code i}, for checkpoints. */
    public NDArray momentumBuffer(int i) {
        return momentumBuffers.get(i);
    }

    @Override
    public void close() {
        manager.close();
    }
}
