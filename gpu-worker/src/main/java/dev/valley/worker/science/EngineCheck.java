package dev.valley.worker.science;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker checks of its engine before it takes a job: that a convolution's input gradient is right. For
 * L = Σ y ⊙ r with y = conv3x3(x, w) (padding 1), ∂L/∂x is the convolution of r by w flipped and transposed,
 * whatever x is; the check compares autograd's float32 gradient with that forward convolution, computed in float64
 * (a different kernel: oneDNN computes no float64), for layers of a few widths and batch sizes.
 *
 * <p>Why: on an AMD EPYC CPU of this project's machines (2 cores, AVX-512), libtorch 2.7.1's float32 convolution
 * input gradient is wrong for some shapes (4 channels at batch 40: every value off; 8 channels at batch 64 in a
 * residual block: NaN), nondeterministically, whatever {@code ONEDNN_MAX_CPU_ISA} says; forward passes are right.
 * A network that needs such a gradient trains on garbage. The worker cannot mend the engine; it says so when it
 * starts, and {@code TorchScriptTrainingTest} skips the residual network there.
 */
public final class EngineCheck {
    /** Channels and batch sizes of the layers checked: 3×3, 28×28, as the fixtures' and small nets' are. */
    private static final int[][] SHAPES = {{4, 40}, {4, 64}, {8, 64}, {16, 64}};
    /** The wrong gradients come and go from one call to the next: a few tries of each shape catch them. */
    private static final int TRIALS = 6;

    private EngineCheck() {
    }

    /** One layer's worst relative error of the input gradient over the trials. */
    public record Finding(int channels, int batch, double relativeError) {
        public boolean right() {
            return relativeError <= 1e-4;
        }
    }

    /** Every shape checked on {@code device}, right or not. */
    public static List<Finding> convolutionInputGradients(Device device) {
        List<Finding> findings = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            manager.getEngine().setRandomSeed(20261207);
            for (int[] shape : SHAPES) {
                double worst = 0;
                for (int trial = 0; trial < TRIALS; trial++) {
                    try (NDManager scope = manager.newSubManager()) {
                        worst = Math.max(worst, relativeError(scope, shape[0], shape[1]));
                    }
                }
                findings.add(new Finding(shape[0], shape[1], worst));
            }
        }
        return findings;
    }

    /** The layers whose input gradient is wrong, as one line; null when all are right. */
    public static String wrong(Device device) {
        List<String> wrong = convolutionInputGradients(device).stream().filter(f -> !f.right())
                .map(f -> f.channels() + " channels at batch " + f.batch() + " (relative error " + f.relativeError()
                        + ")").toList();
        return wrong.isEmpty() ? null : "the engine's float32 convolution input gradient on " + device + " is wrong"
                + " for 3x3 layers of " + String.join(", ", wrong) + ": convolutional networks with such layers"
                + " train on wrong gradients here";
    }

    private static double relativeError(NDManager scope, int channels, int batch) {
        NDArray x = scope.randomNormal(new Shape(batch, channels, 28, 28));
        NDArray w = scope.randomNormal(new Shape(channels, channels, 3, 3)).mul(0.1f);
        NDArray r = scope.randomNormal(new Shape(batch, channels, 28, 28));
        NDArray input = x.duplicate();
        input.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray y = Conv2d.conv2d(input, w, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
            collector.backward(y.mul(r).sum());
        }
        NDArray flipped = w.toType(DataType.FLOAT64, false).flip(2, 3).transpose(1, 0, 2, 3);
        NDArray exact = Conv2d.conv2d(r.toType(DataType.FLOAT64, false), flipped, null, new Shape(1, 1),
                new Shape(1, 1)).singletonOrThrow();
        double error = input.getGradient().toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble();
        double scale = exact.abs().max().getDouble();
        return Double.isFinite(error) ? error / scale : Double.POSITIVE_INFINITY;
    }
}
