package dev.valley.model.job;

import java.util.List;

/**
 * What a finished swa job reports. {@code swa}: the average, its batch-norm statistics recomputed over the
 * training data; {@code swaIterate}: the last SGD iterate of the same run; {@code sgd}: the baseline, SGD from the
 * same start for the same epochs with a decaying rate. Losses are mean cross-entropy; each is on the whole split.
 * {@code diversity}: how differently the SWA run's iterates after swaStart predict (the last 20 epochs' at most;
 * null with fewer than two, or for a regression). On a regression dataset (regression-1d) every loss is the mean squared error and every accuracy null.
 */
public record SwaResult(
        Scores sgd,
        Scores swa,
        Scores swaIterate,
        int averaged,
        boolean batchNormRecomputed,
        String startedFrom,
        List<TrainResult.EpochRecord> sgdHistory,
        List<SwaEpoch> swaHistory,
        String device,
        double seconds,
        long parameters,
        int trainExamples,
        int testExamples,
        Diversity diversity) {

    /** Train and test cross-entropy and accuracy of one network. */
    public record Scores(double trainLoss, Double trainAccuracy, double testLoss, Double testAccuracy) {
    }

    /** One epoch of the SWA run: its iterate's test scores, and the average's once there is one (else null). */
    public record SwaEpoch(int epoch, double lr, double trainLoss, double iterateTestLoss,
            Double iterateTestAccuracy, Double averageTestLoss, Double averageTestAccuracy, int averaged,
            double seconds) {
    }
}
