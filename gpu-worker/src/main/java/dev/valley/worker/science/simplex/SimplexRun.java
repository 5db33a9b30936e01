package dev.valley.worker.science.simplex;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.Diversity;
import dev.valley.model.job.SimplexResult;
import dev.valley.model.job.SimplexSpec;
import dev.valley.worker.science.curve.Curve;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.diversity.DiversityFiles;
import dev.valley.worker.science.diversity.FunctionalDiversity;
import dev.valley.worker.science.diversity.Functions;
import dev.valley.worker.science.io.Npz;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.TensorMaps;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Progress;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A simplex spec, start to end: the fixed vertices, the trained ones ({@link SimplexTrainer}), then the finished
 * simplex described: each vertex, {@link SimplexSpec#EVALUATION_SAMPLES} uniform samples (batch norm recomputed for
 * each where the network has it), the ESPRO ensembles of the first K samples, their diversity, and the volume.
 */
public final class SimplexRun {
    private final DatasetCatalog datasets;

    public SimplexRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** {@code files}: simplex.safetensors, simplex.json, simplex.npz, simplex.png and the diversity's files. */
    public record Output(SimplexResult result, Map<String, byte[]> files) {
    }

    /** {@code bytes}: each fixed vertex's safetensors by spec field ({@link SimplexSpec#fixedFields}). */
    public Output run(SimplexSpec spec, Function<String, byte[]> bytes, Device device, TrainingListener listener) {
        long began = System.nanoTime();
        Progress job = Progress.of(listener);
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(), spec.model(),
                device); NDManager kept = ws.manager().newSubManager()) {
            Architecture architecture = ws.architecture();
            List<Map<String, NDArray>> vertices = new ArrayList<>();
            for (String field : spec.fixedFields()) {
                try (Weights w = Weights.load(architecture, ws.manager(), bytes.apply(field), field)) {
                    vertices.add(TensorMaps.copy(w.parameterMap(), kept));
                }
            }
            int fixed = vertices.size();
            List<SimplexResult.Epoch> history = SimplexTrainer.grow(vertices, architecture, ws.train(), spec, kept,
                    job.slice(0, 0.8));
            Progress describing = job.slice(0.8, 0.2);
            try (NoGrad noGrad = NoGrad.enter()) {
                List<SimplexResult.Vertex> described = new ArrayList<>();
                boolean recomputed = architecture.hasBatchNorm(); // point() recomputes for every point
                for (int k = 0; k < vertices.size(); k++) {
                    double[] c = new double[vertices.size()];
                    c[k] = 1;
                    try (NDManager scope = kept.newSubManager()) {
                        Weights w = point(architecture, vertices, c, scope, ws.train(), spec.batchSize());
                        Metrics tr = Evaluator.evaluate(w, ws.train());
                        Metrics te = Evaluator.evaluate(w, ws.test());
                        described.add(new SimplexResult.Vertex(k, k < fixed, tr.loss(), tr.reportedAccuracy(),
                                te.loss(), te.reportedAccuracy()));
                    }
                }
                SplittableRandom random = new SplittableRandom(spec.seed() + 1);
                int n = SimplexSpec.EVALUATION_SAMPLES;
                double[] accuracy = new double[n];
                double[] loss = new double[n];
                List<NDArray> probabilities = new ArrayList<>();
                Functions.Inputs inputs = Functions.drawable(ws.data().train())
                        ? Functions.inputs(ws.data().train(), kept) : null;
                List<double[]> functions = new ArrayList<>();
                for (int s = 0; s < n; s++) {
                    double[] c = Dirichlet.uniform(vertices.size(), random);
                    try (NDManager scope = kept.newSubManager()) {
                        Weights w = point(architecture, vertices, c, scope, ws.train(), spec.batchSize());
                        Evaluator.Evaluation e = Evaluator.evaluate(w, ws.test(), s < spec.ensembleSize() ? kept : null);
                        accuracy[s] = e.metrics().accuracy();
                        loss[s] = e.metrics().loss();
                        if (e.probabilities() != null) {
                            probabilities.add(e.probabilities());
                            if (inputs != null) {
                                functions.add(Functions.predict(w, inputs));
                            }
                        }
                    }
                    describing.onEvaluation((s + 1.0) / n, "sample " + (s + 1) + " of " + n);
                }
                List<SimplexResult.Ensemble> ensembles = ensembles(probabilities, ws.test(), kept);
                Diversity diversity = probabilities.size() < 2 ? null : FunctionalDiversity.of(
                        java.util.stream.IntStream.range(0, probabilities.size()).mapToObj(i -> "sample " + i)
                                .toList(), probabilities, ws.test());
                double volume = SimplexVolume.volume(SimplexTrainer.squaredDistances(vertices));
                SimplexResult result = new SimplexResult(described, stats(accuracy, loss), volume, Math.log(volume),
                        ensembles, history, diversity, recomputed, device.toString(),
                        (System.nanoTime() - began) / 1e9, parametersOf(vertices.get(0)), ws.train().size(),
                        ws.test().size());
                Map<String, byte[]> files = new LinkedHashMap<>();
                Map<String, NDArray> named = new LinkedHashMap<>();
                for (int k = 0; k < vertices.size(); k++) {
                    for (var e : vertices.get(k).entrySet()) {
                        named.put("vertices." + k + "." + e.getKey(), e.getValue());
                    }
                }
                Map<String, String> metadata = ws.metadata("valley/simplex-v1", spec);
                metadata.put("vertices", Integer.toString(vertices.size()));
                metadata.put("fixed", Integer.toString(fixed));
                files.put("simplex.safetensors", SafeTensors.write(named, metadata));
                files.put("simplex.json", JSON.writeValueAsBytes(result));
                files.put("simplex.npz", npz(accuracy, loss, ensembles));
                files.put("simplex.png", png(result));
                files.putAll(DiversityFiles.of(diversity));
                if (inputs != null) {
                    files.putAll(Functions.files(java.util.stream.IntStream.range(0, functions.size())
                            .mapToObj(i -> "sample " + i).toList(), inputs, functions, ws.data().train()));
                }
                return new Output(result, files);
            }
        }
    }

    /** Σ c_k θ_k with fresh batch-norm statistics, recomputed over the training data where there are any. */
    private static Weights point(Architecture architecture, List<Map<String, NDArray>> vertices, double[] c,
            NDManager scope, DeviceData train, int batchSize) {
        Weights w = Curve.combination(architecture, vertices, c, scope, architecture.freshBuffers(scope));
        BatchNormStatistics.recompute(w, train, batchSize);
        return w;
    }

    /** The ensemble of the first K samples for every K: the mean of their softmax outputs. */
    private static List<SimplexResult.Ensemble> ensembles(List<NDArray> probabilities, DeviceData test,
            NDManager parent) {
        List<SimplexResult.Ensemble> out = new ArrayList<>();
        try (NDManager scope = parent.newSubManager()) {
            NDArray sum = null;
            for (int k = 0; k < probabilities.size(); k++) {
                sum = sum == null ? probabilities.get(k).duplicate() : sum.addi(probabilities.get(k));
                sum.attach(scope);
                NDArray mean = sum.div(k + 1);
                mean.attach(scope);
                Metrics m = Evaluator.ensemble(mean, test);
                out.add(new SimplexResult.Ensemble(k + 1, m.reportedAccuracy(), m.loss()));
            }
        }
        return out;
    }

    private static SimplexResult.SampleStats stats(double[] accuracy, double[] loss) {
        return new SimplexResult.SampleStats(accuracy.length, Metrics.reported(min(accuracy)),
                Metrics.reported(mean(accuracy)), Metrics.reported(max(accuracy)), min(loss), mean(loss), max(loss));
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(Double.NaN);
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static long parametersOf(Map<String, NDArray> vertex) {
        return vertex.values().stream().mapToLong(NDArray::size).sum();
    }

    private static byte[] npz(double[] accuracy, double[] loss, List<SimplexResult.Ensemble> ensembles) {
        Map<String, double[]> arrays = new LinkedHashMap<>();
        if (!Double.isNaN(accuracy[0])) {
            arrays.put("sample_test_accuracy", accuracy);
        }
        arrays.put("sample_test_loss", loss);
        arrays.put("ensemble_size", ensembles.stream().mapToDouble(SimplexResult.Ensemble::size).toArray());
        if (ensembles.stream().allMatch(e -> e.testAccuracy() != null)) {
            arrays.put("ensemble_test_accuracy", ensembles.stream().mapToDouble(SimplexResult.Ensemble::testAccuracy)
                    .toArray());
        }
        arrays.put("ensemble_test_loss", ensembles.stream().mapToDouble(SimplexResult.Ensemble::testLoss).toArray());
        return Npz.write(arrays);
    }

    /** ESPRO against the start network: test accuracy and NLL of the ensemble of K samples. */
    private static byte[] png(SimplexResult r) {
        double[] k = r.ensembles().stream().mapToDouble(SimplexResult.Ensemble::size).toArray();
        double[] ends = k.length == 0 ? new double[0] : new double[] {k[0], k[k.length - 1]};
        SimplexResult.Vertex start = r.vertices().get(0);
        boolean regression = start.testAccuracy() == null;
        LineChart.Panel loss = new LineChart.Panel((regression ? "Test MSE" : "Test NLL") + " of K samples' ensemble",
                "K", Metrics.lossName(regression),
                List.of(new LineChart.Series("ensemble (ESPRO)", k, r.ensembles().stream()
                                .mapToDouble(SimplexResult.Ensemble::testLoss).toArray(), 1, false),
                        new LineChart.Series("vertex 0", ends, new double[] {start.testLoss(), start.testLoss()}, 0,
                                true)));
        if (regression) {
            return LineChart.png(List.of(loss));
        }
        LineChart.Panel accuracy = new LineChart.Panel("Test accuracy of K samples' ensemble", "K", "accuracy",
                List.of(new LineChart.Series("ensemble (ESPRO)", k, r.ensembles().stream()
                                .mapToDouble(SimplexResult.Ensemble::testAccuracy).toArray(), 1, false),
                        new LineChart.Series("vertex 0", ends, new double[] {start.testAccuracy(),
                                start.testAccuracy()}, 0, true)));
        return LineChart.png(List.of(accuracy, loss));
    }
}
