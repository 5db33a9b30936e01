package dev.valley.worker.science.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A split resident on the device: {@code x} [N, ...sampleShape] float32 and {@code labels} [N, 1] int64, the
 * column shape being what gather needs, so no per-step reshape is made.
 */
public record DeviceData(NDArray x, NDArray labels, int size) implements AutoCloseable {

    public static DeviceData of(NDManager manager, Split split) {
        long[] dims = new long[split.sampleShape().length + 1];
        dims[0] = split.size();
        System.arraycopy(split.sampleShape(), 0, dims, 1, split.sampleShape().length);
        long[] y = new long[split.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = split.y()[i];
        }
        NDArray x = manager.create(split.x(), new Shape(dims));
        NDArray labels = manager.create(y, new Shape(split.size(), 1));
        return new DeviceData(x, labels, split.size());
    }

    @Override
    public void close() {
        x.close();
        labels.close();
    }
}
