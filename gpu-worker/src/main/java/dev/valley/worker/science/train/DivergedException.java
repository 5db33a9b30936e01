package dev.valley.worker.science.train;

/** The loss stopped being a finite number: an input problem (learning rate, data), not worth a retry. */
public final class DivergedException extends RuntimeException {
    public DivergedException(int epoch, int step, double loss) {
        super("training diverged: loss " + loss + " at epoch " + epoch + ", step " + step);
    }
}
