package dev.valley.worker.science.align;

import java.util.Arrays;

/**
 * The linear assignment problem, dense and square: the permutation π that maximises Σ_i score[i][π(i)].
 *
 * <p>The shortest augmenting path algorithm with dual potentials (Kuhn 1955; Jonker and Volgenant 1987, without
 * their initialisation heuristics): rows are added one at a time, each by a Dijkstra search over the columns on
 * reduced costs, so every step keeps an optimal assignment of the rows added so far. O(n³) in the worst case. This
 * is what {@code scipy.optimize.linear_sum_assignment} solves (Crouse 2016's variant of the same method), which
 * Git Re-Basin's weight matching calls; {@code LinearAssignmentTest} checks it against brute force.
 */
public final class LinearAssignment {
    private LinearAssignment() {
    }

    /** {@code π}, with {@code π[i]} the column of row i; {@code score} is n × n, row-major, finite. */
    public static int[] maximize(double[] score, int n) {
        if (score.length != (long) n * n) {
            throw new IllegalArgumentException("a " + n + " × " + n + " problem needs " + (long) n * n
                    + " scores, got " + score.length);
        }
        // Minimise cost = −score. Index 0 of the columns is a virtual one; rows and columns count from 1 inside.
        double[] u = new double[n + 1];
        double[] v = new double[n + 1];
        int[] rowOf = new int[n + 1];  // rowOf[j]: the row assigned to column j (0: none)
        int[] way = new int[n + 1];
        double[] minv = new double[n + 1];
        boolean[] used = new boolean[n + 1];
        for (int i = 1; i <= n; i++) {
            rowOf[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = rowOf[j0];
                int base = (i0 - 1) * n;
                double ui0 = u[i0];
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= n; j++) {
                    if (!used[j]) {
                        double current = -score[base + j - 1] - ui0 - v[j];
                        if (current < minv[j]) {
                            minv[j] = current;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= n; j++) {
                    if (used[j]) {
                        u[rowOf[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (rowOf[j0] != 0);
            do {
                int j1 = way[j0];
                rowOf[j0] = rowOf[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] assignment = new int[n];
        for (int j = 1; j <= n; j++) {
            assignment[rowOf[j] - 1] = j - 1;
        }
        return assignment;
    }

    /** Σ_i score[i][π(i)]. */
    public static double value(double[] score, int n, int[] permutation) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += score[i * n + permutation[i]];
        }
        return sum;
    }
}
