package dev.valley.worker.science.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum and weight decay as {@code torch.optim.SGD} does it: g += wd·p; b = μ·b + g; p -= lr·b.
 * Updates run in place with 0-d scalars that live as long as the optimiser: DJL's Number overloads make a
 * temporary per call, which costs several times more and (inside a GradientCollector) can be freed too early.
 */
public final class Sgd implements AutoCloseable {
    private final List<NDArray> parameters;
    private final NDManager manager;
    private final List<NDArray> momentumBuffers = new ArrayList<>();
    private NDArray lr;
    private final NDArray momentum;
    private final NDArray weightDecay;
    private final boolean decays;

    public Sgd(List<NDArray> parameters, NDManager parent, double lr, double momentum, double weightDecay) {
        this.parameters = List.copyOf(parameters);
        this.manager = parent.newSubManager();
        this.lr = manager.full(new Shape(), (float) lr);
        this.momentum = manager.full(new Shape(), (float) momentum);
        this.weightDecay = manager.full(new Shape(), (float) weightDecay);
        this.decays = weightDecay != 0;
        for (NDArray p : this.parameters) {
            momentumBuffers.add(manager.zeros(p.getShape(), p.getDataType()));
        }
    }

    /** For schedules that change the rate between epochs. */
    public void setLearningRate(double value) {
        NDArray previous = lr;
        lr = manager.full(new Shape(), (float) value);
        previous.close();
    }

    /** Applies one step from the gradients of the last backward, then zeroes them (they accumulate otherwise).
     * Call with autograd off ({@link NoGrad}). */
    public void step() {
        for (int i = 0; i < parameters.size(); i++) {
            NDArray p = parameters.get(i);
            try (NDArray g = p.getGradient()) {
                if (decays) {
                    try (NDArray decay = p.mul(weightDecay)) {
                        g.addi(decay);
                    }
                }
                apply(i, g);
            }
            JniUtils.zeroGrad((PtNDArray) p);
        }
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
