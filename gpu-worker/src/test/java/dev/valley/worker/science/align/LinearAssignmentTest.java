package dev.valley.worker.science.align;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The solver against brute force: every permutation of 6, on a seeded sample of matrices of several kinds. */
class LinearAssignmentTest {

    @Test
    void everySixBySixOfASeededSampleIsSolvedAsWellAsBruteForceCan() {
        SplittableRandom random = new SplittableRandom(42);
        int n = 6;
        int[][] all = permutations(n);
        assertThat(all).hasNumberOfRows(720);
        for (int trial = 0; trial < 2000; trial++) {
            double[] score = new double[n * n];
            int kind = trial % 4;
            for (int k = 0; k < score.length; k++) {
                score[k] = switch (kind) {
                    case 0 -> random.nextGaussian();
                    case 1 -> random.nextInt(4);              // many ties
                    case 2 -> -1e6 * random.nextDouble();     // all negative, large
                    default -> random.nextDouble() < 0.5 ? 0 : random.nextGaussian() * 1e-3;
                };
            }
            double best = Double.NEGATIVE_INFINITY;
            for (int[] p : all) {
                best = Math.max(best, LinearAssignment.value(score, n, p));
            }
            int[] solved = LinearAssignment.maximize(score, n);
            assertThat(Arrays.stream(solved).sorted().toArray()).as("a permutation").containsExactly(0, 1, 2, 3, 4, 5);
            assertThat(LinearAssignment.value(score, n, solved)).as("trial %d", trial)
                    .isCloseTo(best, within(1e-9 * Math.max(1, Math.abs(best))));
        }
    }

    @Test
    void aPermutedIdentityIsFoundExactly() {
        int n = 300;
        int[] hidden = new int[n];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < n; i++) {
            hidden[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = hidden[i];
            hidden[i] = hidden[j];
            hidden[j] = t;
        }
        double[] score = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                score[i * n + j] = random.nextDouble() * 0.1 + (hidden[i] == j ? 1 : 0);
            }
        }
        assertThat(LinearAssignment.maximize(score, n)).containsExactly(hidden);
    }

    @Test
    void aScoreOfTheWrongSizeIsRefused() {
        assertThatThrownBy(() -> LinearAssignment.maximize(new double[5], 2)).hasMessageContaining("needs 4");
    }

    private static int[][] permutations(int n) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out.toArray(new int[0][]);
    }

    private static void permute(int[] current, boolean[] used, int k, java.util.List<int[]> out) {
        if (k == current.length) {
            out.add(current.clone());
            return;
        }
        for (int i = 0; i < current.length; i++) {
            if (!used[i]) {
                used[i] = true;
                current[k] = i;
                permute(current, used, k + 1, out);
                used[i] = false;
            }
        }
    }
}
