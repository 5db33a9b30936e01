package dev.valley.worker.science.train;

/** The job was cancelled; the loop stopped at the step boundary. */
public final class CancelledException extends RuntimeException {
    public CancelledException(int epoch, int step) {
        super("cancelled at epoch " + epoch + ", step " + step);
    }
}
