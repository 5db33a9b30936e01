package dev.valley.worker.science.train;

/**
 * A network on a split: the mean cross-entropy and the accuracy, or for a regression set the mean squared error and
 * an accuracy of NaN (there is none).
 */
public record Metrics(double loss, double accuracy, int examples) {

    /** The accuracy as a result reports it: null for a regression, which has none. */
    public Double reportedAccuracy() {
        return reported(accuracy);
    }

    /** What a loss is called on a chart's axis. */
    public static String lossName(boolean regression) {
        return regression ? "squared error" : "cross-entropy";
    }

    /** A score as a result reports it: null where it is NaN (a regression's accuracy). */
    public static Double reported(double value) {
        return Double.isNaN(value) ? null : value;
    }
}
