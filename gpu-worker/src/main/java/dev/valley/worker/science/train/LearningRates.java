package dev.valley.worker.science.train;

/** Learning-rate schedules, as functions of the epoch, so that every job type uses the same ones. */
public final class LearningRates {
    private LearningRates() {
    }

    /**
     * dnn-mode-connectivity's {@code learning_rate_schedule(base_lr, epoch, total_epochs)} for endpoints and curves:
     * with α = epoch / epochs, the base rate while α ≤ ½, then linearly down to 1 % of it at α = 0.9, then flat.
     * {@code epoch} counts from 1, as the reference's train.py calls it ({@code for epoch in range(1, epochs + 1)}):
     * over 10 epochs the factors are 1, 1, 1, 1, 1, 0.7525, 0.505, 0.2575, 0.01, 0.01.
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

    /** A train spec's named schedule over {@code epochs} epochs from {@code lr}. */
    public static Schedule named(String name, double lr, int epochs) {
        return switch (name) {
            case "constant" -> Schedule.constant(lr);
            case "decay" -> decay(lr, epochs);
            case "cosine" -> (epoch, fraction) -> lr * (1 + Math.cos(Math.PI * (epoch + fraction) / epochs)) / 2;
            default -> throw new IllegalArgumentException("unknown schedule " + name);
        };
    }

    /** {@link #halfFlatThenLinear} as a {@link Schedule}, whose epochs count from 0. */
    public static Schedule decay(double lr, int epochs) {
        return (epoch, fraction) -> halfFlatThenLinear(lr, epoch + 1, epochs);
    }

    /** A rate per step: {@code epoch} counts from 0, {@code fraction} in [0, 1) is how far into the epoch. */
    @FunctionalInterface
    public interface Schedule {
        double at(int epoch, double fraction);

        static Schedule constant(double lr) {
            return (epoch, fraction) -> lr;
        }
    }

    /**
     * SGD at {@code lr} for {@code swaStart} epochs, then SWALR's rate: {@code swaLr} at once when not
     * {@code cosine}, else cosine-annealed from {@code lr} to {@code swaLr} over {@code annealEpochs} epochs (the
     * k-th SWA epoch, k from 1, at swaLr + (lr − swaLr)·(1 + cos(π·min(1, k / annealEpochs))) / 2).
     */
    public static double swa(double lr, double swaLr, int swaStart, boolean cosine, int annealEpochs, int epoch) {
        if (epoch < swaStart) {
            return lr;
        }
        if (!cosine) {
            return swaLr;
        }
        double t = Math.min(1.0, (double) (epoch - swaStart + 1) / annealEpochs);
        return swaLr + (lr - swaLr) * (1 + Math.cos(Math.PI * t)) / 2;
    }

    /**
     * fge.py's triangular cycle: with t = ((epoch mod cycle) + fraction) / cycle, lr1 → lr2 linearly for t < ½, then
     * back to lr1.
     */
    public static double cyclic(double lr1, double lr2, int cycle, int epoch, double fraction) {
        double t = ((epoch % cycle) + fraction) / cycle;
        return t < 0.5 ? lr1 * (1 - 2 * t) + lr2 * 2 * t : lr1 * (2 * t - 1) + lr2 * (2 - 2 * t);
    }
}
