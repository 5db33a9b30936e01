package dev.valley.worker.science.data;

import java.util.SplittableRandom;

/** A dataset's train and test splits with its number of classes (0 for a regression set). */
public record DatasetSplits(String name, Split train, Split test, int classes) {

    /** The width of a network's output: one per class, or the one real prediction of a regression. */
    public int outputs() {
        return isRegression() ? 1 : classes;
    }

    public boolean isRegression() {
        return train.isRegression();
    }

    public long[] sampleShape() {
        return train.sampleShape();
    }

    /** The first {@code n} training examples of a seeded permutation; the test split stays whole. */
    public DatasetSplits withTrainSubset(Integer n, long seed) {
        if (n == null || n >= train.size()) {
            return this;
        }
        int[] order = permutation(train.size(), seed);
        int[] chosen = new int[n];
        System.arraycopy(order, 0, chosen, 0, n);
        return new DatasetSplits(name, train.select(chosen), test, classes);
    }

    /** The first {@code n} test examples of a seeded permutation (a different one from the training subset's). */
    public DatasetSplits withTestSubset(Integer n, long seed) {
        if (n == null || n >= test.size()) {
            return this;
        }
        int[] order = permutation(test.size(), ~seed);
        int[] chosen = new int[n];
        System.arraycopy(order, 0, chosen, 0, n);
        return new DatasetSplits(name, train, test.select(chosen), classes);
    }

    /** Fisher-Yates; the same seed gives the same order on every machine. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
