package dev.valley.worker.science.curve;

import dev.valley.model.job.CurveSpec;

/**
 * How a curve with bends θ_0 … θ_n (θ_0 and θ_n the endpoints) weighs them at t in [0, 1]: φ(t) = Σ_k c_k(t)·θ_k.
 * The coefficients of either kind are non-negative and sum to 1.
 */
public enum CurveKind {
    /** Bernstein polynomials: c_k(t) = C(n, k)·t^k·(1 − t)^(n − k). */
    BEZIER,
    /** Hat functions on evenly spaced knots k/n: c_k(t) = max(0, 1 − |n·t − k|), a polygonal chain. */
    POLYCHAIN;

    public static CurveKind of(String name) {
        return switch (name) {
            case CurveSpec.BEZIER -> BEZIER;
            case CurveSpec.POLYCHAIN -> POLYCHAIN;
            default -> throw new IllegalArgumentException("unknown curve " + name);
        };
    }

    public String wireName() {
        return this == BEZIER ? CurveSpec.BEZIER : CurveSpec.POLYCHAIN;
    }

    public double[] coefficients(double t, int bends) {
        int n = bends - 1;
        double[] c = new double[bends];
        if (this == BEZIER) {
            double binomial = 1;
            for (int k = 0; k <= n; k++) {
                c[k] = binomial * Math.pow(t, k) * Math.pow(1 - t, n - k);
                binomial = binomial * (n - k) / (k + 1);
            }
        } else {
            for (int k = 0; k <= n; k++) {
                c[k] = Math.max(0, 1 - Math.abs(n * t - k));
            }
        }
        return c;
    }
}
