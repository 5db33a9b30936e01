package dev.valley.worker.science.data;

import dev.valley.model.job.Datasets;
import java.util.SplittableRandom;

/**
 * {@code regression-1d}: a 1-D regression toy in the manner of the one Izmailov et al. use to picture functions
 * along a subspace ("Subspace Inference for Bayesian Deep Learning", 2019, and figure 7 of "Visualizing Mode
 * Connectivity"): inputs in three clusters on a line with wide gaps between them, where networks that fit the data
 * equally well are free to disagree.
 * <p>
 * The generator, seeded with {@link #SEED} so that every job sees the same data (a curve joins networks trained on
 * one set): example i belongs to cluster i mod 3, with x drawn uniformly in [c − {@value #HALF_WIDTH},
 * c + {@value #HALF_WIDTH}] around c ∈ {@link #CENTRES}, and y = f(x) + ε, ε ~ N(0, {@value #NOISE}²), with
 * f(x) = {@link #f}. {@value #TRAIN} training and {@value #TEST} test examples, the test split from the seed's
 * complement.
 */
public final class RegressionToy {
    public static final long SEED = 20190706L;
    public static final int TRAIN = 600;
    public static final int TEST = 600;
    public static final double NOISE = 0.05;
    public static final double HALF_WIDTH = 0.1;
    public static final double[] CENTRES = {-1, 0, 1};

    private RegressionToy() {
    }

    /** The noiseless target. */
    public static double f(double x) {
        return Math.sin(3 * x) + 0.3 * x * x;
    }

    public static DatasetSplits generate() {
        return new DatasetSplits(Datasets.REGRESSION_1D, split(TRAIN, SEED), split(TEST, ~SEED), 0);
    }

    private static Split split(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double centre = CENTRES[i % CENTRES.length];
            double xi = centre + HALF_WIDTH * (2 * random.nextDouble() - 1);
            x[i] = (float) xi;
            y[i] = (float) (f(xi) + NOISE * Spirals.gaussian(random));
        }
        return Split.regression(x, y, new long[] {1});
    }
}
