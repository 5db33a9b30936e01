package dev.valley.model.job;

import java.util.List;

/**
 * What a finished train job reports; losses are mean cross-entropy, accuracies fractions in [0, 1].
 * On a regression dataset (regression-1d) every loss is the mean squared error and every accuracy null.
 * {@code resumedAfterEpoch}: the epoch of the earlier attempt's checkpoint this run went on from (0: it ran whole).
 */
public record TrainResult(
        double trainLoss,
        Double trainAccuracy,
        double testLoss,
        Double testAccuracy,
        List<EpochRecord> history,
        String device,
        double seconds,
        long parameters,
        int trainExamples,
        int testExamples,
        double samplesPerSecond,
        int resumedAfterEpoch) {

    /**
     * {@code lr} is the learning rate of the epoch's first step (a cosine schedule lowers it within the epoch too);
     * {@code trainLoss} is the mean minibatch loss over the epoch, as the optimiser saw it; {@code seconds} the
     * epoch's training steps alone, without its test evaluation.
     */
    public record EpochRecord(int epoch, double lr, double trainLoss, double testLoss, Double testAccuracy,
            double seconds) {
    }
}
