package dev.valley.worker.science;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * 0-d scalars made on the device. DJL's Number overloads ({@code x.mul(0.5f)}, {@code addi(1)}) and {@code
 * create(float)} make the scalar on the host and copy it to the device: on CUDA a copy from pageable host memory
 * waits for the stream, so each such call is a host sync. {@code full} makes it on the device, with no copy. Use
 * these on every path that runs per step, per point or per batch.
 */
public final class Scalars {
    private static final Shape SCALAR = new Shape();

    private Scalars() {
    }

    /** A float32 scalar in {@code manager}. */
    public static NDArray of(NDManager manager, double value) {
        return manager.full(SCALAR, (float) value);
    }

    /** A scalar of {@code type} (an int64 counter's increment) in {@code manager}. */
    public static NDArray of(NDManager manager, double value, DataType type) {
        return manager.full(SCALAR, (float) value, type);
    }
}
