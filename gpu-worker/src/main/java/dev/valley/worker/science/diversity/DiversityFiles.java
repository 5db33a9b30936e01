package dev.valley.worker.science.diversity;

import dev.valley.model.job.Diversity;
import dev.valley.worker.science.io.Npz;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.plot.MatrixChart;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The artifacts of a {@link Diversity}, the same for every job that measures one: {@code diversity.npz}
 * ({@code disagreement} and {@code jensen_shannon} [K, K], {@code accuracy} and {@code loss} [K]),
 * {@code diversity.png} (both matrices) and {@code diversity-accuracy.png} (Fort et al. 2019's plot: each member's
 * disagreement with the others over its error, against its accuracy).
 */
public final class DiversityFiles {
    public static final String NPZ = "diversity.npz";
    public static final String MATRICES = "diversity.png";
    public static final String AGAINST_ACCURACY = "diversity-accuracy.png";

    private DiversityFiles() {
    }

    /** By artifact name; none for no diversity (fewer than two members, or a regression). */
    public static Map<String, byte[]> of(Diversity d) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (d == null) {
            return files;
        }
        files.put(NPZ, npz(d));
        files.put(MATRICES, MatrixChart.png(List.of(
                new MatrixChart.Panel("Disagreement (fraction of test examples)", d.members(),
                        matrix(d.disagreement())),
                new MatrixChart.Panel("Jensen–Shannon divergence (nats)", d.members(), matrix(d.jensenShannon())))));
        double[] accuracy = d.accuracy().stream().mapToDouble(Double::doubleValue).toArray();
        double[] normalised = d.normalisedDisagreement().stream()
                .mapToDouble(v -> v == null ? Double.NaN : v).toArray();
        files.put(AGAINST_ACCURACY, LineChart.png(List.of(new LineChart.Panel(
                "Diversity against accuracy (Fort et al. 2019)", "test accuracy",
                "disagreement / error", List.of(LineChart.Series.scatter("members", accuracy, normalised, 0))))));
        return files;
    }

    static byte[] npz(Diversity d) {
        int k = d.members().size();
        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        arrays.put("disagreement", new Npz.Array(flat(d.disagreement()), k, k));
        arrays.put("jensen_shannon", new Npz.Array(flat(d.jensenShannon()), k, k));
        arrays.put("accuracy", new Npz.Array(d.accuracy().stream().mapToDouble(Double::doubleValue).toArray(), k));
        arrays.put("loss", new Npz.Array(d.loss().stream().mapToDouble(Double::doubleValue).toArray(), k));
        return Npz.writeArrays(arrays);
    }

    private static double[][] matrix(List<List<Double>> rows) {
        return rows.stream().map(r -> r.stream().mapToDouble(Double::doubleValue).toArray()).toArray(double[][]::new);
    }

    private static double[] flat(List<List<Double>> rows) {
        return rows.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
    }
}
