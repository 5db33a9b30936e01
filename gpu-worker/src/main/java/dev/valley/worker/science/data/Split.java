package dev.valley.worker.science.data;

/**
 * Examples held on the host: {@code x} row-major, {@code sampleShape} per example (for instance [1, 28, 28] or [2]),
 * labels in [0, classes).
 */
public record Split(float[] x, int[] y, long[] sampleShape) {

    public Split {
        if (y.length == 0 || x.length % y.length != 0) {
            throw new IllegalArgumentException("x has " + x.length + " values for " + y.length + " labels");
        }
    }

    public int size() {
        return y.length;
    }

    public int sampleSize() {
        return x.length / y.length;
    }

    /** The examples at {@code indices}, in that order. */
    public Split select(int[] indices) {
        int d = sampleSize();
        float[] xs = new float[indices.length * d];
        int[] ys = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(x, indices[i] * d, xs, i * d, d);
            ys[i] = y[indices[i]];
        }
        return new Split(xs, ys, sampleShape);
    }
}
