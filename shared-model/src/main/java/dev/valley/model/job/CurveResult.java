package dev.valley.model.job;

import java.util.List;
import java.util.Map;

/**
 * What a finished curve job reports. Losses are mean cross-entropy without the weight-decay term, accuracies
 * fractions in [0, 1]. Every series is indexed like {@code t}. On a regression dataset (regression-1d) every loss is the mean squared error and every accuracy null.
 * Regression ensembles are the mean of the members' predictions, and their loss the mean squared error.
 *
 * @param batchNormRecomputed true when the network has batch norm and every evaluated point's statistics were
 *     recomputed with one pass over the training data (cumulative average, as {@code update_bn} does) before it
 *     was evaluated; false when the network has no batch norm
 * @param secondsPerEpoch the mean of {@code history[].seconds}
 */
public record CurveResult(
        String curve,
        int bends,
        boolean batchNormRecomputed,
        List<Double> t,
        Path curvePath,
        Path line,
        Ensembles ensembles,
        List<Epoch> history,
        double secondsPerEpoch,
        String device,
        double seconds,
        long parametersPerBend,
        int trainExamples,
        int testExamples,
        Diversity diversity) {

    /**
     * One path evaluated at every t. {@code summary} has min, max, mean and the length-weighted integral (the mean
     * over arc length: Σ ½(f_i + f_{i+1})·‖φ(t_{i+1}) − φ(t_i)‖ / length) of each series; {@code length} is the
     * path's length in weight space (the polyline through the evaluated points, parameters only); {@code barrier}
     * is the highest train loss on the path minus the mean of the endpoints' train losses.
     */
    public record Path(List<Double> trainLoss, List<Double> trainAccuracy, List<Double> testLoss,
            List<Double> testAccuracy, Map<String, Stats> summary, double length, double barrier) {
    }

    public record Stats(double min, double max, double mean, double integral) {
    }

    /**
     * Test-set ensembles, each the mean of its members' softmax outputs. {@code withStart}: the first endpoint w1
     * with φ(t), for every t; {@code endpoints}: w1 with w2; {@code curvePoints}: the {@code curvePointsT} points.
     */
    public record Ensembles(List<Double> withStartAccuracy, Double endpointsAccuracy, double endpointsLoss,
            List<Double> curvePointsT, Double curvePointsAccuracy, double curvePointsLoss) {
    }

    /** {@code trainLoss}: the mean minibatch cross-entropy at the sampled t; {@code seconds}: the training steps. */
    public record Epoch(int epoch, double lr, double trainLoss, double seconds) {
    }
}
