package dev.valley.worker.science.bench;

import dev.valley.worker.science.align.LinearAssignment;
import java.util.SplittableRandom;

/**
 * Seconds to solve n × n linear assignments ({@link LinearAssignment}) of two kinds, in rounds: uniform random scores,
 * and what weight matching meets (a hidden permutation plus noise: inner products of a network's units with a permuted
 * copy's). Git Re-Basin's 512- and 1024-unit layers are the sizes that matter. Beside each, the time of one n × n × n
 * multiply-add loop in plain Java, the O(n³) the method is bounded by, as a baseline measured in the same run. Run
 * with {@code ./valley bench assignment [n] [rounds]}.
 */
public final class AssignmentBenchmark {
    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        SplittableRandom random = new SplittableRandom(1);
        for (int round = 0; round <= rounds; round++) {
            double[] uniform = new double[n * n];
            for (int k = 0; k < uniform.length; k++) {
                uniform[k] = random.nextDouble();
            }
            int[] hidden = shuffled(n, random);
            double[] planted = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    planted[i * n + j] = random.nextGaussian() * 0.3 + (hidden[i] == j ? 1 : 0);
                }
            }
            double a = seconds(uniform, n);
            double b = seconds(planted, n);
            double cube = cube(uniform, n);
            if (round > 0) { // round 0 warms the JIT up
                System.out.printf("round %d: %d × %d uniform %.3f s, planted %.3f s; one n³ multiply-add loop %.3f s%n",
                        round, n, n, a, b, cube);
            }
        }
    }

    private static double seconds(double[] score, int n) {
        long start = System.nanoTime();
        int[] p = LinearAssignment.maximize(score, n);
        double s = (System.nanoTime() - start) / 1e9;
        if (p.length != n) {
            throw new IllegalStateException();
        }
        return s;
    }

    /** Σ_ijk a[i][k]·a[k][j] in plain loops: the cost of n³ simple steps here. */
    private static double cube(double[] a, int n) {
        long start = System.nanoTime();
        double sink = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double x = a[i * n + k];
                int row = k * n;
                for (int j = 0; j < n; j++) {
                    sink += x * a[row + j];
                }
            }
        }
        double s = (System.nanoTime() - start) / 1e9;
        if (Double.isNaN(sink)) {
            System.out.println();
        }
        return s;
    }

    private static int[] shuffled(int n, SplittableRandom random) {
        return dev.valley.worker.science.data.DatasetSplits.permutation(n, random.nextLong());
    }
}
