package dev.valley.worker.science.grid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.valley.worker.science.train.NoGrad;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The two leading principal components of a training run's kept weights about its final weights w, as
 * loss-landscape's {@code plot_trajectory.py} takes them (scikit-learn's {@code PCA(n_components=2)} fitted to the
 * flattened differences): with X_i = w_i − w for the T kept networks (the final one among them), X̄ their mean and
 * X̃_i = X_i − X̄,
 *
 * <pre>  G = X̃ X̃ᵀ (T × T, float64),  G a_k = λ_k a_k (λ_1 ≥ λ_2 the largest),
 *  d_k = X̃ᵀ a_k / √λ_k (unit vectors in weight space),
 *  ratio_k = λ_k / trace G,  coordinates c_ik = ⟨X_i, d_k⟩</pre>
 *
 * G is the Gram matrix of the centred differences, so its eigenvectors give PCA's components without forming the
 * P × P covariance. Each d_k's sign is chosen so that the first kept network has c ≥ 0 on it. Parameters only.
 */
final class TrajectoryPca {
    /** {@code coordinates[i]} = (c_i1, c_i2), unscaled. */
    record Result(Map<String, NDArray> d1, Map<String, NDArray> d2, double[] ratio, double[][] coordinates) {
    }

    private TrajectoryPca() {
    }

    /** {@code steps}: the kept networks' parameters, in order; {@code last}: w. Directions made in {@code into}. */
    static Result of(List<Map<String, NDArray>> steps, Map<String, NDArray> last, NDManager into) {
        int t = steps.size();
        double[][] g = new double[t][t];
        try (NoGrad noGrad = NoGrad.enter(); NDManager scratch = into.newSubManager()) {
            Map<String, NDArray> centred = new LinkedHashMap<>();
            Map<String, NDArray> differences = new LinkedHashMap<>();
            for (String name : last.keySet()) {
                NDList rows = new NDList();
                for (Map<String, NDArray> step : steps) {
                    NDArray d = step.get(name).sub(last.get(name));
                    d.attach(scratch);
                    rows.add(d.reshape(-1));
                }
                NDArray x = NDArrays.stack(rows).toType(DataType.FLOAT64, false); // [T, n]
                x.attach(scratch);
                NDArray xc = x.sub(x.mean(new int[] {0}, true));
                xc.attach(scratch);
                differences.put(name, x);
                centred.put(name, xc);
                double[] block = xc.matMul(xc.transpose()).toDoubleArray();
                for (int i = 0; i < t; i++) {
                    for (int j = 0; j < t; j++) {
                        g[i][j] += block[i * t + j];
                    }
                }
            }
            SymmetricEigen eigen = SymmetricEigen.of(g);
            double trace = 0;
            for (int i = 0; i < t; i++) {
                trace += g[i][i];
            }
            double[] ratio = new double[2];
            double[][] coordinates = new double[t][2];
            List<Map<String, NDArray>> directions = new java.util.ArrayList<>();
            for (int k = 0; k < 2; k++) {
                double lambda = eigen.values()[k];
                if (!(lambda > 1e-12 * trace) || !(trace > 0)) {
                    throw new IllegalArgumentException("the kept weights span " + (k == 0 ? "no direction" : "one"
                            + " direction only") + " about their mean: a trajectory plane needs two");
                }
                ratio[k] = lambda / trace;
                NDArray a = scratch.create(eigen.vectors()[k], new Shape(1, t));
                Map<String, NDArray> d = new LinkedHashMap<>();
                double[] c = new double[t];
                for (String name : last.keySet()) {
                    NDArray dk = a.matMul(centred.get(name)).div(Math.sqrt(lambda)); // [1, n]
                    dk.attach(scratch);
                    double[] projection = differences.get(name).matMul(dk.transpose()).toDoubleArray(); // [T]
                    for (int i = 0; i < t; i++) {
                        c[i] += projection[i];
                    }
                    d.put(name, dk);
                }
                double sign = c[0] < 0 ? -1 : 1;
                for (int i = 0; i < t; i++) {
                    coordinates[i][k] = sign * c[i] + 0.0; // + 0.0: no -0.0 for the final network
                }
                Map<String, NDArray> out = new LinkedHashMap<>();
                d.forEach((name, dk) -> {
                    NDArray shaped = dk.mul(sign).toType(DataType.FLOAT32, false).reshape(last.get(name).getShape());
                    shaped.attach(into);
                    out.put(name, shaped);
                });
                directions.add(out);
            }
            return new Result(directions.get(0), directions.get(1), ratio, coordinates);
        }
    }

}
