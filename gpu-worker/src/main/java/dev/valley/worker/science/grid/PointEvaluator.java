package dev.valley.worker.science.grid;

/** A grid's metrics at points of a plane, row by row: {@link #beginRow} once per y, then {@link #at} per x. */
public interface PointEvaluator extends AutoCloseable {

    void beginRow(double y);

    /** The metrics at (x, the row's y), in the order {@link GridMetrics} lists them. */
    double[] at(double x);

    @Override
    void close();
}
