package dev.valley.worker.science.train;

/** Learning-rate schedules, as functions of the epoch, so that every job type uses the same ones. */
public final class LearningRates {
    private LearningRates() {
    }

    /**
     * dnn-mode-connectivity's schedule for endpoints and curves: the base rate for the first half of the epochs,
     * then linearly down to 1 % of it at 90 %, then flat. {@code epoch} counts from 0, as the reference's does.
     */
    public static double halfFlatThenLinear(double base, int epoch, int epochs) {
        double alpha = (double) epoch / epochs;
        double factor;
        if (alpha <= 0.5) {
            factor = 1.0;
        } else if (alpha <= 0.9) {
            factor = 1.0 - (alpha - 0.5) / 0.4 * 0.99;
        } else {
            factor = 0.01;
        }
        return base * factor;
    }
}
