package dev.valley.worker.science.simplex;

/**
 * The volume of a simplex from its vertices' squared distances, by the Cayley–Menger determinant, as
 * loss-surface-simplexes' {@code simplex_helpers.volume_loss} computes it (Benton et al. 2021): for n vertices
 * (an (n−1)-simplex) with D[i][j] = ‖θ_i − θ_j‖², the (n+1)×(n+1) matrix
 *
 * <pre>  CM = [[D, 1], [1ᵀ, 0]],   V² = (−1)^n · det(CM) / (2^(n−1) · ((n−1)!)²).</pre>
 *
 * Training maximises log V, whose gradient with respect to vertex v is, with M = CM⁻¹,
 *
 * <pre>  ∇_v log V = ½ · ∇_v log |det CM| = ½ · Σ_{j≠v} 2·M[v][j] · 2(θ_v − θ_j) = Σ_{j≠v} 2·M[v][j] · (θ_v − θ_j),</pre>
 *
 * since ∂ log|det CM| / ∂CM[i][j] = M[j][i], D is symmetric and ∂D[v][j]/∂θ_v = 2(θ_v − θ_j). {@link #gradientWeights}
 * gives the coefficients 2·M[v][j]; the caller forms the sum over the parameters. Everything here is float64 on the
 * host: n is a handful of vertices.
 */
public final class SimplexVolume {
    private SimplexVolume() {
    }

    /** V for squared distances {@code d} (n × n, zero diagonal). */
    public static double volume(double[][] d) {
        int n = d.length;
        double det = det(cayleyMenger(d));
        double v2 = ((n % 2 == 0) ? 1 : -1) * det / (Math.pow(2, n - 1) * square(factorial(n - 1)));
        return Math.sqrt(Math.max(0, v2));
    }

    /** 2·(CM⁻¹)[v][j] for every j (0 for j = v): ∇_v log V = Σ_j w_j·(θ_v − θ_j). */
    public static double[] gradientWeights(double[][] d, int v) {
        int n = d.length;
        double[][] inverse = invert(cayleyMenger(d));
        double[] w = new double[n];
        for (int j = 0; j < n; j++) {
            w[j] = j == v ? 0 : 2 * inverse[v][j];
        }
        return w;
    }

    static double[][] cayleyMenger(double[][] d) {
        int n = d.length;
        double[][] m = new double[n + 1][n + 1];
        for (int i = 0; i <= n; i++) {
            for (int j = 0; j <= n; j++) {
                m[i][j] = i < n && j < n ? d[i][j] : (i == n && j == n ? 0 : 1);
            }
        }
        return m;
    }

    private static double square(double x) {
        return x * x;
    }

    private static double factorial(int k) {
        double f = 1;
        for (int i = 2; i <= k; i++) {
            f *= i;
        }
        return f;
    }

    /** Gaussian elimination with partial pivoting. */
    static double det(double[][] matrix) {
        int n = matrix.length;
        double[][] a = copy(matrix);
        double det = 1;
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            if (a[pivot][c] == 0) {
                return 0;
            }
            if (pivot != c) {
                double[] t = a[pivot];
                a[pivot] = a[c];
                a[c] = t;
                det = -det;
            }
            det *= a[c][c];
            for (int r = c + 1; r < n; r++) {
                double f = a[r][c] / a[c][c];
                for (int k = c; k < n; k++) {
                    a[r][k] -= f * a[c][k];
                }
            }
        }
        return det;
    }

    /** Gauss–Jordan with partial pivoting; throws for a singular matrix (vertices that coincide). */
    static double[][] invert(double[][] matrix) {
        int n = matrix.length;
        double[][] a = copy(matrix);
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            inv[i][i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) {
                    pivot = r;
                }
            }
            if (a[pivot][c] == 0) {
                throw new IllegalArgumentException("the simplex is degenerate: two vertices coincide");
            }
            double[] t = a[pivot];
            a[pivot] = a[c];
            a[c] = t;
            t = inv[pivot];
            inv[pivot] = inv[c];
            inv[c] = t;
            double p = a[c][c];
            for (int k = 0; k < n; k++) {
                a[c][k] /= p;
                inv[c][k] /= p;
            }
            for (int r = 0; r < n; r++) {
                if (r != c && a[r][c] != 0) {
                    double f = a[r][c];
                    for (int k = 0; k < n; k++) {
                        a[r][k] -= f * a[c][k];
                        inv[r][k] -= f * inv[c][k];
                    }
                }
            }
        }
        return inv;
    }

    private static double[][] copy(double[][] m) {
        double[][] c = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            c[i] = m[i].clone();
        }
        return c;
    }
}
