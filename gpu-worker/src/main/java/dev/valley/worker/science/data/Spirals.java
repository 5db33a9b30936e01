package dev.valley.worker.science.data;

import java.util.SplittableRandom;

/**
 * A seeded synthetic 2-D set: {@code classes} interleaved spiral arms with Gaussian noise. Small enough for a
 * training run of a few seconds, hard enough that a linear model fails on it.
 */
public final class Spirals {
    public static final int CLASSES = 3;
    public static final int TRAIN = 3000;
    public static final int TEST = 1000;
    private static final double NOISE = 0.15;
    private static final double TURNS = 1.5;

    private Spirals() {
    }

    public static DatasetSplits generate(long seed) {
        return new DatasetSplits("spirals", arms(TRAIN, seed), arms(TEST, seed ^ 0x5DEECE66DL), CLASSES);
    }

    private static Split arms(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int arm = i % CLASSES;
            double r = random.nextDouble();
            double angle = 2 * Math.PI * (TURNS * r + (double) arm / CLASSES);
            x[2 * i] = (float) (r * Math.cos(angle) + NOISE * r * gaussian(random));
            x[2 * i + 1] = (float) (r * Math.sin(angle) + NOISE * r * gaussian(random));
            y[i] = arm;
        }
        return new Split(x, y, new long[] {2});
    }

    /** A standard normal draw (Box–Muller). */
    static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
