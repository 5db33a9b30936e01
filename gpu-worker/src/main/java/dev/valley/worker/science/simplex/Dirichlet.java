package dev.valley.worker.science.simplex;

import java.util.SplittableRandom;

/**
 * Points drawn uniformly from a simplex: barycentric weights from Dirichlet(1, …, 1), as
 * {@code torch.distributions.Dirichlet(torch.ones(n)).sample()} in loss-surface-simplexes: n independent Exp(1)
 * draws (−ln U), divided by their sum. Each weight's mean is 1/n.
 */
public final class Dirichlet {
    private Dirichlet() {
    }

    public static double[] uniform(int n, SplittableRandom random) {
        double[] w = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            w[i] = -Math.log(1 - random.nextDouble()); // 1 − U lies in (0, 1]: no log of 0
            sum += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] /= sum;
        }
        return w;
    }
}
