package dev.valley.worker.science.simplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Cayley–Menger volume against volumes known by hand, its log-gradient against central finite differences, and
 * Dirichlet(1, …, 1) sampling against its mean and its support.
 */
class SimplexScienceTest {

    private static double[][] squaredDistances(double[][] points) {
        int n = points.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < points[i].length; k++) {
                    d[i][j] += (points[i][k] - points[j][k]) * (points[i][k] - points[j][k]);
                }
            }
        }
        return d;
    }

    @Test
    void aSegmentATriangleAndATetrahedronHaveTheirKnownVolumes() {
        // A segment of length 5: its 1-volume is its length.
        assertThat(SimplexVolume.volume(squaredDistances(new double[][] {{0, 0}, {3, 4}}))).isCloseTo(5, within(1e-12));
        // The right triangle with legs 3 and 4: area 3·4/2 = 6, here in 5 dimensions.
        assertThat(SimplexVolume.volume(squaredDistances(new double[][] {{0, 0, 0, 0, 0}, {3, 0, 0, 0, 0},
                {0, 4, 0, 0, 0}}))).isCloseTo(6, within(1e-12));
        // The regular tetrahedron of edge a: a³/(6√2); alternate corners of the unit cube, a = √2, V = 1/3.
        assertThat(SimplexVolume.volume(squaredDistances(new double[][] {{0, 0, 0}, {1, 1, 0}, {1, 0, 1},
                {0, 1, 1}}))).isCloseTo(1.0 / 3, within(1e-12));
        // Vertices on one line span no area.
        assertThat(SimplexVolume.volume(squaredDistances(new double[][] {{0, 0}, {1, 1}, {2, 2}})))
                .isCloseTo(0, within(1e-9));
    }

    @Test
    void theLogVolumeGradientIsTheFiniteDifferenceOfTheLogVolume() {
        SplittableRandom random = new SplittableRandom(3);
        double[][] points = new double[4][6];
        for (double[] p : points) {
            for (int k = 0; k < p.length; k++) {
                p[k] = random.nextGaussian();
            }
        }
        int v = 3;
        double[] weights = SimplexVolume.gradientWeights(squaredDistances(points), v);
        for (int k = 0; k < points[v].length; k++) {
            double analytic = 0;
            for (int j = 0; j < points.length; j++) {
                analytic += weights[j] * (points[v][k] - points[j][k]);
            }
            double h = 1e-5;
            double saved = points[v][k];
            points[v][k] = saved + h;
            double up = Math.log(SimplexVolume.volume(squaredDistances(points)));
            points[v][k] = saved - h;
            double down = Math.log(SimplexVolume.volume(squaredDistances(points)));
            points[v][k] = saved;
            assertThat(analytic).as("coordinate %d", k).isCloseTo((up - down) / (2 * h), within(1e-6));
        }
    }

    @Test
    void dirichletWeightsAreOnTheSimplexWithMeanOneOverN() {
        SplittableRandom random = new SplittableRandom(11);
        int n = 4;
        int draws = 200_000;
        double[] mean = new double[n];
        for (int s = 0; s < draws; s++) {
            double[] w = Dirichlet.uniform(n, random);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                assertThat(w[i]).isBetween(0.0, 1.0);
                sum += w[i];
                mean[i] += w[i] / draws;
            }
            assertThat(sum).isCloseTo(1, within(1e-12));
        }
        // Each weight is Beta(1, n − 1): mean 1/n, variance (n − 1)/(n²(n + 1)) = 0.0375; 5 standard errors.
        double tolerance = 5 * Math.sqrt(0.0375 / draws);
        for (double m : mean) {
            assertThat(m).isCloseTo(1.0 / n, within(tolerance));
        }
    }
}
