package dev.valley.worker.science.train;

import static dev.valley.model.Json.JSON;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.Precision;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Autocast;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import java.util.ArrayList;
import java.util.List;

/** Minibatch SGD of one network, with a test evaluation after every epoch. */
public final class Trainer {

    /** {@code schedule} sets the rate before every step; {@code lr} is where it starts. */
    /** {@code precision}: the steps' forward passes, fp32 or bf16 ({@link Autocast}); the test evaluations are
     * float32 whatever it is, so that a bf16 run's figures are its weights' exact ones. */
    public record Config(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed,
            LearningRates.Schedule schedule, String precision) {

        public Config(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed,
                LearningRates.Schedule schedule) {
            this(epochs, batchSize, lr, momentum, weightDecay, seed, schedule, Precision.FP32);
        }

        public Config(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed) {
            this(epochs, batchSize, lr, momentum, weightDecay, seed, LearningRates.Schedule.constant(lr));
        }
    }

    /** {@code seconds}: the training steps alone, without the per-epoch test evaluations. */
    public record Outcome(List<EpochRecord> history, long steps, double seconds) {
    }


    private Trainer() {
    }

    /** {@code model.*}, {@code momentum.*} and the epochs so far ({@code history}) after {@code epoch}. */
    static Checkpoint checkpoint(int epoch, Weights weights, Sgd sgd, List<EpochRecord> history) {
        return new Checkpoint(epoch).put("model", weights.tensors()).put("momentum", momentum(weights, sgd))
                .meta("history", JSON.writeValueAsString(history));
    }

    /** SGD's buffer of each parameter, by the parameter's name. */
    private static java.util.Map<String, NDArray> momentum(Weights weights, Sgd sgd) {
        java.util.Map<String, NDArray> momentum = new java.util.LinkedHashMap<>();
        int i = 0;
        for (String name : weights.parameterMap().keySet()) {
            momentum.put(name, sgd.momentumBuffer(i++));
        }
        return momentum;
    }

    /**
     * Where a resumed run starts: the checkpoint's network ({@code model.*}), SGD's momentum and the epochs before,
     * restored in place into the network the run was given.
     */
    public record Resume(Checkpoint.Restored checkpoint) {
        int nextEpoch() {
            return checkpoint.epoch() + 1;
        }

        List<EpochRecord> history() {
            String json = checkpoint.meta("history");
            return json == null ? List.of()
                    : List.of(JSON.readValue(json, EpochRecord[].class));
        }

        void restore(Weights weights, Sgd sgd) {
            try (NoGrad noGrad = NoGrad.enter()) {
                checkpoint.copyInto("model", weights.tensors());
                checkpoint.copyInto("momentum", momentum(weights, sgd));
            }
        }
    }

    public static Outcome train(Weights weights, DeviceData train, DeviceData test, Config config,
            TrainingListener listener) {
        return train(weights, train, test, config, listener, null);
    }

    /** {@code resume} null: from the first epoch. */
    public static Outcome train(Weights weights, DeviceData train, DeviceData test, Config config,
            TrainingListener listener, Resume resume) {
        List<EpochRecord> history = new ArrayList<>(resume == null ? List.of() : resume.history());
        int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        double[] current = {config.lr()};
        try (Sgd sgd = new Sgd(weights.parameters(), weights.manager(), config.lr(), config.momentum(),
                config.weightDecay());
                Autocast autocast = Autocast.forPrecision(config.precision(), weights.architecture(),
                        weights.manager())) {
            if (resume != null) {
                resume.restore(weights, sgd);
            }
            MinibatchLoop.Outcome outcome = MinibatchLoop.run(train, resume == null ? 1 : resume.nextEpoch(),
                    config.epochs(), config.batchSize(),
                    config.seed(), weights.manager(), listener,
                    (epoch, meanLoss, seconds) -> {
                        NDManager keep = listener.keepTestProbabilities(epoch);
                        Evaluator.Evaluation evaluation = Evaluator.evaluate(weights, test, keep);
                        Metrics testMetrics = evaluation.metrics();
                        if (keep != null) {
                            listener.onTestProbabilities(epoch, evaluation.probabilities());
                        }
                        EpochRecord record = new EpochRecord(epoch, config.schedule().at(epoch - 1, 0), meanLoss,
                                testMetrics.loss(), testMetrics.reportedAccuracy(), seconds);
                        history.add(record);
                        listener.onEpoch(record);
                        listener.onCheckpoint(epoch, () -> checkpoint(epoch, weights, sgd, history));
                    },
                    (x, y, scope, epoch, step) -> {
                        double lr = config.schedule().at(epoch - 1, (double) (step - 1) / stepsPerEpoch);
                        if (lr != current[0]) {
                            sgd.setLearningRate(lr);
                            current[0] = lr;
                        }
                        NDArray loss;
                        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                            NDArray logits = autocast == null ? weights.architecture().forward(weights, x, Mode.TRAIN)
                                    : autocast.forward(weights, x, Mode.TRAIN);
                            loss = MinibatchLoop.loss(logits, y);
                            collector.backward(loss);
                        }
                        sgd.step();
                        return loss;
                    });
            return new Outcome(history, outcome.steps(), outcome.seconds());
        }
    }
}
