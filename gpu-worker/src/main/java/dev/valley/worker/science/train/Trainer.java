package dev.valley.worker.science.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * Minibatch SGD on a device-resident dataset: each epoch gathers a seeded permutation once, then slices batches,
 * each step in a sub-manager of its own so that nothing outlives it.
 */
public final class Trainer {

    public record Config(int epochs, int batchSize, double lr, double momentum, double weightDecay, long seed) {
    }

    /** {@code seconds}: the training steps alone, without the per-epoch test evaluations. */
    public record Outcome(List<EpochRecord> history, long steps, double seconds) {
    }

    private Trainer() {
    }

    public static Outcome train(Weights weights, DeviceData train, DeviceData test, Config config,
            TrainingListener listener) {
        List<EpochRecord> history = new ArrayList<>();
        int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
        long totalSteps = (long) stepsPerEpoch * config.epochs();
        long steps = 0;
        double trainingSeconds = 0;
        NDManager manager = weights.manager();
        try (NoGrad noGrad = NoGrad.enter();
                Sgd sgd = new Sgd(weights.parameters(), manager, config.lr(), config.momentum(), config.weightDecay())) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                double lossSum = 0;
                long epochStart = System.nanoTime();
                try (NDManager epochScope = manager.newSubManager()) {
                    NDArray order = epochScope.create(toLongs(DatasetSplits.permutation(train.size(),
                            config.seed() * 1_000_003L + epoch)));
                    NDArray xs = train.x().get(epochScope, new NDIndex("{}", order));
                    NDArray ys = train.labels().get(epochScope, new NDIndex("{}", order));
                    for (int step = 1; step <= stepsPerEpoch; step++) {
                        if (listener.cancelRequested()) {
                            throw new CancelledException(epoch, step);
                        }
                        int from = (step - 1) * config.batchSize();
                        int to = Math.min(from + config.batchSize(), train.size());
                        float loss;
                        try (NDManager stepScope = epochScope.newSubManager()) {
                            NDArray x = xs.get(stepScope, new NDIndex().addSliceDim(from, to));
                            NDArray y = ys.get(stepScope, new NDIndex().addSliceDim(from, to));
                            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                                NDArray logits = weights.architecture().forward(weights, x, true);
                                NDArray lossArray = logits.logSoftmax(1).gather(y, 1).mean().neg();
                                collector.backward(lossArray);
                                loss = lossArray.getFloat();
                            }
                            if (!Float.isFinite(loss)) {
                                throw new DivergedException(epoch, step, loss);
                            }
                            sgd.step();
                        }
                        lossSum += loss;
                        steps++;
                        listener.onStep(epoch, step, (double) steps / totalSteps);
                    }
                }
                double epochSeconds = (System.nanoTime() - epochStart) / 1e9;
                trainingSeconds += epochSeconds;
                Metrics testMetrics = Evaluator.evaluate(weights, test);
                EpochRecord record = new EpochRecord(epoch, lossSum / stepsPerEpoch, testMetrics.loss(),
                        testMetrics.accuracy(), epochSeconds);
                history.add(record);
                listener.onEpoch(record);
            }
        }
        return new Outcome(history, steps, trainingSeconds);
    }

    private static long[] toLongs(int[] values) {
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
