package dev.valley.worker.science.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A split resident on the device: {@code x} [N, ...sampleShape] float32 and {@code labels} [N, 1], int64 class
 * labels (the column shape being what gather needs, so no per-step reshape is made) or, for a regression set,
 * float32 targets. The labels' type is what tells the loss which it is ({@link #isRegression()}).
 */
public record DeviceData(NDArray x, NDArray labels, int size) implements AutoCloseable {

    public static DeviceData of(NDManager manager, Split split) {
        long[] dims = new long[split.sampleShape().length + 1];
        dims[0] = split.size();
        System.arraycopy(split.sampleShape(), 0, dims, 1, split.sampleShape().length);
        NDArray x = manager.create(split.x(), new Shape(dims));
        NDArray labels;
        if (split.isRegression()) {
            labels = manager.create(split.targets(), new Shape(split.size(), 1));
        } else {
            long[] y = new long[split.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = split.y()[i];
            }
            labels = manager.create(y, new Shape(split.size(), 1));
        }
        return new DeviceData(x, labels, split.size());
    }

    /** Whether the labels are real targets (float32) rather than classes. */
    public boolean isRegression() {
        return isRegression(labels);
    }

    /** Whether {@code labels} are a regression's targets: float labels, where classes are int64. */
    public static boolean isRegression(NDArray labels) {
        return labels.getDataType() != DataType.INT64;
    }

    @Override
    public void close() {
        x.close();
        labels.close();
    }
}
