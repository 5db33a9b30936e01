package dev.valley.worker.science.data;

/**
 * Examples held on the host: {@code x} row-major, {@code sampleShape} per example (for instance [1, 28, 28] or [2]),
 * and either class labels {@code y} in [0, classes) or, for a regression set, one real target per example in
 * {@code targets} (the other null).
 */
public record Split(float[] x, int[] y, float[] targets, long[] sampleShape) {

    public Split {
        if ((y == null) == (targets == null)) {
            throw new IllegalArgumentException("a split has labels or targets, one of the two");
        }
        int n = y != null ? y.length : targets.length;
        if (n == 0 || x.length % n != 0) {
            throw new IllegalArgumentException("x has " + x.length + " values for " + n + " examples");
        }
    }

    /** A classification split. */
    public Split(float[] x, int[] y, long[] sampleShape) {
        this(x, y, null, sampleShape);
    }

    /** A regression split: one target per example. */
    public static Split regression(float[] x, float[] targets, long[] sampleShape) {
        return new Split(x, null, targets, sampleShape);
    }

    public boolean isRegression() {
        return targets != null;
    }

    public int size() {
        return y != null ? y.length : targets.length;
    }

    public int sampleSize() {
        return x.length / size();
    }

    /** The examples at {@code indices}, in that order. */
    public Split select(int[] indices) {
        int d = sampleSize();
        float[] xs = new float[indices.length * d];
        int[] ys = y == null ? null : new int[indices.length];
        float[] ts = targets == null ? null : new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(x, indices[i] * d, xs, i * d, d);
            if (ys != null) {
                ys[i] = y[indices[i]];
            } else {
                ts[i] = targets[indices[i]];
            }
        }
        return new Split(xs, ys, ts, sampleShape);
    }
}
