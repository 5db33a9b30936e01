package dev.valley.worker.science.curve;

import static dev.valley.model.Json.JSON;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.CurveResult;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.LearningRates;
import dev.valley.worker.science.train.MinibatchLoop;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Sgd;
import dev.valley.worker.science.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Fits a curve's interior bends as dnn-mode-connectivity's train.py does: per minibatch t ~ U(0, 1), the loss
 * cross-entropy(φ(t)) + ½·wd·‖φ(t)‖², SGD with momentum on the bends, the learning rate of
 * {@link LearningRates#halfFlatThenLinear}. One set of batch-norm statistics is kept while training.
 *
 * <p>φ(t) is built without autograd and made a leaf: the backward pass then stops at φ, and since ∂φ/∂θ_k = c_k,
 * each bend's gradient is c_k·(∂CE/∂φ + wd·φ), the same as autograd through the sum gives, for one backward
 * through the network and one multiply per bend.
 */
public final class CurveTrainer {

    public record Config(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed) {
    }

    public record Outcome(List<CurveResult.Epoch> history, long steps, double seconds) {
    }


    private CurveTrainer() {
    }

    /** Every bend ({@code bends.{k}.{name}}), the interior bends' momentum ({@code momentum.{k}.{name}}), the
     * shared training statistics ({@code running.{name}}) and the epochs so far ({@code history}). */
    private static Checkpoint checkpoint(int epoch, Curve curve, Sgd sgd, int perBend, Map<String, NDArray> buffers,
            List<CurveResult.Epoch> history) {
        Map<String, NDArray> bends = new java.util.LinkedHashMap<>();
        curve.namedTensors().forEach((name, array) -> bends.put(name.substring("bends.".length()), array));
        return new Checkpoint(epoch).put("bends", bends).put("momentum", momentum(curve, sgd, perBend))
                .put("running", buffers).meta("curve", curve.kind().wireName())
                .meta("bends", Integer.toString(curve.bendCount())).meta("history", JSON.writeValueAsString(history));
    }

    /** SGD's buffer of each interior bend's tensors, as {@code {k}.{name}}. */
    private static Map<String, NDArray> momentum(Curve curve, Sgd sgd, int perBend) {
        Map<String, NDArray> momentum = new java.util.LinkedHashMap<>();
        for (int k = 1; k < curve.bendCount() - 1; k++) {
            int i = 0;
            for (String name : curve.bend(k).keySet()) {
                momentum.put(k + "." + name, sgd.momentumBuffer((k - 1) * perBend + i++));
            }
        }
        return momentum;
    }

    /**
     * Puts a checkpoint's interior bends, momentum and statistics in place, and returns its history. The endpoints
     * are the job's inputs and stay as they are.
     */
    private static List<CurveResult.Epoch> restore(Checkpoint.Restored checkpoint, Curve curve, Sgd sgd, int perBend,
            Map<String, NDArray> buffers) {
        if (!curve.kind().wireName().equals(checkpoint.required("curve"))
                || curve.bendCount() != Integer.parseInt(checkpoint.required("bends"))) {
            throw new IllegalArgumentException("checkpoint is of a " + checkpoint.meta("curve") + " curve with "
                    + checkpoint.meta("bends") + " bends, not of this " + curve.kind().wireName() + " curve with "
                    + curve.bendCount());
        }
        Map<String, NDArray> interior = new java.util.LinkedHashMap<>();
        for (int k = 1; k < curve.bendCount() - 1; k++) {
            for (Map.Entry<String, NDArray> e : curve.bend(k).entrySet()) {
                interior.put(k + "." + e.getKey(), e.getValue());
            }
        }
        try (NoGrad noGrad = NoGrad.enter()) {
            checkpoint.copyInto("bends", interior);
            checkpoint.copyInto("momentum", momentum(curve, sgd, perBend));
            checkpoint.copyInto("running", buffers);
        }
        return List.of(JSON.readValue(checkpoint.required("history"), CurveResult.Epoch[].class));
    }

    public static Outcome train(Curve curve, DeviceData train, Config config, TrainingListener listener,
            Consumer<CurveResult.Epoch> onEpoch) {
        return train(curve, train, config, listener, onEpoch, null);
    }

    /**
     * {@code resume}: a checkpoint this trainer wrote for the same job (null: from the first epoch). The run goes on
     * from the epoch after it, drawing the t the uninterrupted run would have drawn.
     */
    public static Outcome train(Curve curve, DeviceData train, Config config, TrainingListener listener,
            Consumer<CurveResult.Epoch> onEpoch, Checkpoint.Restored resume) {
        try (Fit fit = new Fit(curve, config, listener, onEpoch)) {
            if (resume != null) {
                fit.resumeFrom(resume, (train.size() + config.batchSize() - 1) / config.batchSize());
            }
            MinibatchLoop.Outcome outcome = MinibatchLoop.run(train, resume == null ? 1 : resume.epoch() + 1,
                    config.epochs(), config.batchSize(), config.seed(), curve.manager(), listener, fit, fit::step);
            return new Outcome(fit.history, outcome.steps(), outcome.seconds());
        }
    }

    /** One fit's state: the bends' optimiser, the t it draws, the training statistics and the epochs so far. */
    private static final class Fit implements MinibatchLoop.Epochs, AutoCloseable {
        private final Curve curve;
        private final Config config;
        private final TrainingListener listener;
        private final Consumer<CurveResult.Epoch> onEpoch;
        private final SplittableRandom random;
        private final NDManager fixed;
        private final Sgd sgd;
        private final int perBend;
        private final Map<String, NDArray> buffers;
        private final NDArray weightDecay;
        private final List<CurveResult.Epoch> history = new ArrayList<>();
        private double lr;

        Fit(Curve curve, Config config, TrainingListener listener, Consumer<CurveResult.Epoch> onEpoch) {
            this.curve = curve;
            this.config = config;
            this.listener = listener;
            this.onEpoch = onEpoch;
            this.random = new SplittableRandom(config.seed());
            List<NDArray> interior = curve.interiorParameters();
            this.perBend = interior.size() / Math.max(1, curve.bendCount() - 2);
            this.fixed = curve.manager().newSubManager();
            this.sgd = new Sgd(interior, curve.manager(), config.lr(), config.momentum(), 0);
            this.buffers = curve.architecture().freshBuffers(fixed);
            this.weightDecay = Scalars.of(fixed, config.weightDecay());
        }

        /** The checkpoint's bends, momentum, statistics and history, and its epochs' draws of t skipped. */
        void resumeFrom(Checkpoint.Restored resume, int stepsPerEpoch) {
            history.addAll(restore(resume, curve, sgd, perBend, buffers));
            for (long i = 0; i < (long) resume.epoch() * stepsPerEpoch; i++) {
                random.nextDouble();
            }
        }

        @Override
        public void begin(int epoch) {
            lr = LearningRates.halfFlatThenLinear(config.lr(), epoch, config.epochs());
            sgd.setLearningRate(lr);
        }

        @Override
        public void end(int epoch, double meanLoss, double seconds) {
            CurveResult.Epoch record = new CurveResult.Epoch(epoch, lr, meanLoss, seconds);
            history.add(record);
            onEpoch.accept(record);
            listener.onCheckpoint(epoch, () -> checkpoint(epoch, curve, sgd, perBend, buffers, history));
        }

        /** t ~ U(0, 1); CE(φ(t)) backward to the leaf φ; each interior bend steps by c_k·(∂CE/∂φ + wd·φ). */
        NDArray step(NDArray x, NDArray y, NDManager scope, int epoch, int step) {
            int bendCount = curve.bendCount();
            double[] c = curve.kind().coefficients(random.nextDouble(), bendCount);
            Weights phi = curve.point(c, scope, buffers);
            List<NDArray> parameters = phi.parameters();
            parameters.forEach(p -> p.setRequiresGradient(true));
            NDArray loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                loss = MinibatchLoop.loss(curve.architecture().forward(phi, x, Mode.TRAIN), y);
                collector.backward(loss);
            }
            List<NDArray> scalars = new ArrayList<>();
            for (double ck : c) {
                scalars.add(ck == 0 ? null : Scalars.of(scope, ck));
            }
            for (int i = 0; i < parameters.size(); i++) {
                NDArray p = parameters.get(i);
                NDArray g = p.getGradient();
                g.attach(scope);
                if (config.weightDecay() != 0) {
                    g.addi(p.mul(weightDecay));
                }
                for (int k = 1; k < bendCount - 1; k++) {
                    NDArray ck = scalars.get(k);
                    sgd.apply((k - 1) * perBend + i, ck == null ? null : g.mul(ck));
                }
            }
            return loss;
        }

        @Override
        public void close() {
            sgd.close();
            fixed.close();
        }
    }
}
