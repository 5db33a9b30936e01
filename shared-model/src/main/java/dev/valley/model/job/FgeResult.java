package dev.valley.model.job;

import java.util.List;

/**
 * What a finished fge job reports, all on the test set: the start network, each snapshot alone, and the ensemble
 * of the snapshots so far (the mean of their softmax outputs) as each is added. {@code loss} is the NLL.
 * {@code diversity}: how differently the snapshots predict (null with fewer than two, or for a regression). On a regression dataset (regression-1d) every loss is the mean squared error and every accuracy null.
 */
public record FgeResult(
        double startTestLoss,
        Double startTestAccuracy,
        List<Snapshot> snapshots,
        List<TrainResult.EpochRecord> history,
        String device,
        double seconds,
        long parameters,
        int trainExamples,
        int testExamples,
        Diversity diversity) {

    public record Snapshot(int index, int epoch, double testLoss, Double testAccuracy, double ensembleTestLoss,
            Double ensembleTestAccuracy) {
    }
}
