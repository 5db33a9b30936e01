package dev.valley.model.job;

import java.util.List;

/**
 * What a finished simplex job reports, batch norm recomputed for every point evaluated (where the network has it).
 * On a regression dataset (regression-1d) every loss is the mean squared error and every accuracy null.
 *
 * @param vertices each vertex's train and test loss and accuracy; the fixed ones first
 * @param samples test accuracy and loss over {@link SimplexSpec#EVALUATION_SAMPLES} points drawn uniformly in the
 *     simplex
 * @param volume the simplex's volume (Cayley–Menger) and its natural log
 * @param ensembles the ensemble of the first K of those samples (ESPRO), K = 1 … ensembleSize: test accuracy and NLL
 * @param history per trained vertex and epoch: the mean sampled cross-entropy and the log volume at its end
 * @param diversity how differently the ensemble's samples predict (null for a regression)
 */
public record SimplexResult(
        List<Vertex> vertices,
        SampleStats samples,
        double volume,
        double logVolume,
        List<Ensemble> ensembles,
        List<Epoch> history,
        Diversity diversity,
        boolean batchNormRecomputed,
        String device,
        double seconds,
        long parameters,
        int trainExamples,
        int testExamples) {

    public record Vertex(int index, boolean fixed, double trainLoss, Double trainAccuracy, double testLoss,
            Double testAccuracy) {
    }

    public record SampleStats(int count, Double testAccuracyMin, Double testAccuracyMean, Double testAccuracyMax,
            double testLossMin, double testLossMean, double testLossMax) {
    }

    public record Ensemble(int size, Double testAccuracy, double testLoss) {
    }

    public record Epoch(int vertex, int epoch, double lr, double trainLoss, double logVolume, double seconds) {
    }
}
