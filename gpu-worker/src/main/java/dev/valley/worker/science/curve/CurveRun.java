package dev.valley.worker.science.curve;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.CurveResult;
import dev.valley.model.job.CurveSpec;
import dev.valley.model.job.Diversity;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.Split;
import dev.valley.worker.science.diversity.DiversityFiles;
import dev.valley.worker.science.diversity.FunctionalDiversity;
import dev.valley.worker.science.diversity.Functions;
import dev.valley.worker.science.io.Npz;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.Progress;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Trajectory;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A curve spec, start to end: both endpoints on the device, the curve fitted, the curve and the straight line
 * evaluated at every t with batch norm recomputed per point, the ensembles, and the four artifacts.
 */
public final class CurveRun {
    /**
     * The format of {@code curve-history.safetensors}: the interior bends as they were at the start and after the kept
     * epochs, {@code snapshots.{i}.bends.{k}.{name}} (k = 1 … bends − 2), and the endpoints once,
     * {@code endpoints.{0,1}.{name}} (parameters only); {@code __metadata__} {@code epochs} ("0,1,…": the i-th's
     * epoch), {@code curve} and {@code bends} beside the run's own.
     */
    public static final String HISTORY_FORMAT = "valley/curve-history-v1";

    private final DatasetCatalog datasets;

    public CurveRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** {@code files}: by name, the curve points' diversity artifacts ({@link DiversityFiles}), or for a regression
     * their predictions as functions ({@link Functions}). */
    public record Output(CurveResult result, byte[] safetensors, byte[] npz, byte[] json, byte[] png,
            Map<String, byte[]> files) {
    }

    public Output run(CurveSpec spec, ModelSpec model, byte[] start, byte[] end, Device device,
            TrainingListener listener) {
        return run(spec, model, start, end, device, listener, null);
    }

    /**
     * {@code restored}: the state an earlier attempt of the same job stored (null: start afresh); the fit goes on
     * from the epoch after it, and the evaluation along the curve follows as usual.
     */
    public Output run(CurveSpec spec, ModelSpec model, byte[] start, byte[] end, Device device,
            TrainingListener listener, Checkpoint.Restored restored) {
        long began = System.nanoTime();
        Progress job = Progress.of(listener);
        CurveKind kind = CurveKind.of(spec.curve());
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(), model, device);
                Weights w1 = Weights.load(ws.architecture(), ws.manager(), start, "endpoints[0]");
                Weights w2 = Weights.load(ws.architecture(), ws.manager(), end, "endpoints[1]");
                Curve curve = Curve.between(kind, spec.bends(), w1, w2, spec.initLinear(), spec.seed(),
                        ws.manager());
                Curve line = Curve.line(w1, w2, ws.manager())) {
            double fitShare = fitShare(spec, ws);
            Progress fitting = job.slice(0, fitShare);
            Trajectory snapshots = spec.snapshotEvery() == null ? null : new Trajectory(spec.snapshotEpochs(),
                    ws.manager(), HISTORY_FORMAT, "snapshots");
            TrainingListener fitListener = fitting;
            if (snapshots != null) {
                if (restored != null) {
                    snapshots.restore(restored);
                } else {
                    snapshots.take(0, interior(curve));
                }
                fitListener = new TrainingListener.Forwarding(fitting) {
                    @Override
                    public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                        super.onCheckpoint(epoch, () -> snapshots.into(state.get()));
                    }
                };
            }
            CurveTrainer.Outcome fit = CurveTrainer.train(curve, ws.train(), new CurveTrainer.Config(spec.epochs(),
                    spec.batchSize(), spec.lr(), spec.momentum(), spec.weightDecay(), spec.seed()), fitListener,
                    e -> {
                        if (snapshots != null) {
                            snapshots.take(e.epoch(), interior(curve));
                        }
                        fitting.onEvaluation((double) e.epoch() / spec.epochs(), String.format(
                                "curve epoch %d/%d: train loss %.4f at lr %.4g", e.epoch(), spec.epochs(),
                                e.trainLoss(), e.lr()));
                        fitting.onEpochFigures(null, e.epoch(), e, (double) e.epoch() / spec.epochs());
                    }, restored);
            double[] ts = evenlySpaced(spec.points());
            double pathShare = (1 - fitShare) / 2;
            try (Ensembler ensembler = new Ensembler(ts.length, spec.ensembleSize(), ws, ws.manager())) {
                PathEvaluation.Series curveSeries = PathEvaluation.evaluate(curve, ts, ws.train(), ws.test(),
                        spec.batchSize(), ensembler, PathEvaluation.progress(job.slice(fitShare, pathShare), ts.length,
                                "curve"));
                PathEvaluation.Series lineSeries = PathEvaluation.evaluate(line, ts, ws.train(), ws.test(),
                        spec.batchSize(), null, PathEvaluation.progress(job.slice(fitShare + pathShare, pathShare),
                                ts.length, "line"));
                Output output = output(spec, model, ws, curve, w1.parameterCount(), fit, ts, curveSeries,
                        lineSeries, ensembler.report(ts), ensembler.diversity(ts), ensembler.functions(ts), device,
                        began);
                if (snapshots != null) {
                    Map<String, String> metadata = ws.metadata(HISTORY_FORMAT, spec);
                    metadata.put("curve", curve.kind().wireName());
                    metadata.put("bends", Integer.toString(spec.bends()));
                    Map<String, NDArray> endpoints = new LinkedHashMap<>();
                    curve.bend(0).forEach((name, array) -> endpoints.put("endpoints.0." + name, array));
                    curve.bend(curve.bendCount() - 1).forEach((name, array) -> endpoints.put("endpoints.1." + name,
                            array));
                    output.files().put(CurveSpec.HISTORY_ARTIFACT, snapshots.file(metadata, endpoints));
                }
                return output;
            }
        }
    }

    /** The interior bends, {@code bends.{k}.{name}} for k = 1 … bends − 2: all that a fit changes. */
    private static Map<String, NDArray> interior(Curve curve) {
        Map<String, NDArray> bends = new LinkedHashMap<>();
        for (int k = 1; k < curve.bendCount() - 1; k++) {
            int index = k;
            curve.bend(k).forEach((name, array) -> bends.put("bends." + index + "." + name, array));
        }
        return bends;
    }

    /**
     * The fit's share of the job's progress, by a cost model: a training epoch is about 3 forward passes over the
     * train split; a point is one pass for batch-norm statistics (when there is batch norm), one over train, one
     * over test, and both the curve and the line are evaluated at every point.
     */
    private static double fitShare(CurveSpec spec, Workspace ws) {
        double epochCost = 3.0 * ws.train().size();
        double pointCost = (ws.architecture().hasBatchNorm() ? 2.0 : 1.0) * ws.train().size() + ws.test().size();
        return spec.epochs() * epochCost / (spec.epochs() * epochCost + 2 * spec.points() * pointCost);
    }

    public static double[] evenlySpaced(int points) {
        double[] ts = new double[points];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = (double) i / (ts.length - 1);
        }
        return ts;
    }

    private static Output output(CurveSpec spec, ModelSpec model, Workspace ws, Curve curve, long parameters,
            CurveTrainer.Outcome fit, double[] ts, PathEvaluation.Series curveSeries, PathEvaluation.Series lineSeries,
            CurveResult.Ensembles ensembles, Diversity diversity, Map<String, byte[]> functions, Device device,
            long began) {
        // Over the epochs of every attempt: a resumed fit ran only the later ones here.
        double secondsPerEpoch = fit.history().stream().mapToDouble(CurveResult.Epoch::seconds).average().orElse(0);
        CurveResult result = new CurveResult(curve.kind().wireName(), spec.bends(), curveSeries.batchNormRecomputed(),
                PathEvaluation.list(ts), curveSeries.report(), lineSeries.report(), ensembles, fit.history(),
                secondsPerEpoch, device.toString(), (System.nanoTime() - began) / 1e9, parameters, ws.train().size(),
                ws.test().size(), diversity);
        Map<String, String> metadata = ws.metadata("valley/curve-v1", spec);
        metadata.put("curve", curve.kind().wireName());
        metadata.put("bends", Integer.toString(spec.bends()));
        metadata.put("model", JSON.writeValueAsString(model));
        Map<String, byte[]> files = new LinkedHashMap<>(DiversityFiles.of(diversity));
        files.putAll(functions);
        return new Output(result, SafeTensors.write(curve.namedTensors(), metadata),
                npz(ts, curveSeries, lineSeries, ensembles), JSON.writeValueAsBytes(result), CurvePlots.png(result),
                files);
    }

    private static byte[] npz(double[] ts, PathEvaluation.Series curve, PathEvaluation.Series line,
            CurveResult.Ensembles ensembles) {
        Map<String, double[]> arrays = new LinkedHashMap<>();
        arrays.put("t", ts);
        for (var path : List.of(Map.entry("curve", curve), Map.entry("line", line))) {
            PathEvaluation.Series s = path.getValue();
            arrays.put(path.getKey() + "_train_loss", s.trainLoss());
            if (!s.isRegression()) {
                arrays.put(path.getKey() + "_train_accuracy", s.trainAccuracy());
            }
            arrays.put(path.getKey() + "_test_loss", s.testLoss());
            if (!s.isRegression()) {
                arrays.put(path.getKey() + "_test_accuracy", s.testAccuracy());
            }
            arrays.put(path.getKey() + "_step_length", s.steps());
        }
        if (!curve.isRegression()) {
            arrays.put("ensemble_with_start_accuracy",
                    ensembles.withStartAccuracy().stream().mapToDouble(Double::doubleValue).toArray());
        }
        return Npz.write(arrays);
    }

    /**
     * Test-set ensembles along the curve from each point's softmax outputs: w1 (the point at t = 0) with every
     * point, w1 with w2 (t = 1), and the points nearest to K evenly spaced t; and those K points' diversity. For a
     * regression on 1-D inputs, every point's predictions as a function too.
     */
    private static final class Ensembler implements PathEvaluation.Predictions, AutoCloseable {
        private final DeviceData test;
        private final Split trainSplit;
        private final NDManager manager;
        private final Functions.Inputs inputs;
        private final Map<Integer, double[]> functions = new java.util.TreeMap<>();
        private final TreeSet<Integer> chosen = new TreeSet<>();
        private final List<Double> withStart = new ArrayList<>();
        private final int last;
        private NDArray start;
        /** The K chosen points' probabilities, by index along the path. */
        private final Map<Integer, NDArray> chosenProbabilities = new java.util.TreeMap<>();
        private Metrics endpoints;

        Ensembler(int points, int size, Workspace ws, NDManager parent) {
            this.test = ws.test();
            this.trainSplit = ws.data().train();
            this.manager = parent.newSubManager();
            this.inputs = Functions.drawable(trainSplit) ? Functions.inputs(trainSplit, manager) : null;
            this.last = points - 1;
            for (int j = 0; j < size; j++) {
                chosen.add((int) Math.round((double) j * last / (size - 1)));
            }
        }

        @Override
        public void accept(int index, Weights phi, NDArray probabilities) {
            if (inputs != null) {
                functions.put(index, Functions.predict(phi, inputs));
            }
            try (NoGrad noGrad = NoGrad.enter(); NDManager scope = manager.newSubManager()) {
                if (index == 0) {
                    start = probabilities.duplicate();
                    start.attach(manager);
                }
                NDArray pair = probabilities.add(start).divi(2);
                pair.attach(scope);
                Metrics metrics = Evaluator.ensemble(pair, test);
                withStart.add(metrics.reportedAccuracy());
                if (index == last) {
                    endpoints = metrics;
                }
                if (chosen.contains(index)) {
                    NDArray kept = probabilities.duplicate();
                    kept.attach(manager);
                    chosenProbabilities.put(index, kept);
                }
            }
        }

        CurveResult.Ensembles report(double[] ts) {
            Metrics curvePoints;
            try (NoGrad noGrad = NoGrad.enter(); NDManager scope = manager.newSubManager()) {
                NDArray sum = null;
                for (NDArray p : chosenProbabilities.values()) {
                    sum = sum == null ? p.duplicate() : sum.addi(p);
                }
                NDArray mean = sum.divi(chosen.size());
                mean.attach(scope);
                curvePoints = Evaluator.ensemble(mean, test);
            }
            return new CurveResult.Ensembles(withStart, endpoints.reportedAccuracy(), endpoints.loss(),
                    chosen.stream().map(i -> ts[i]).toList(), curvePoints.reportedAccuracy(), curvePoints.loss());
        }

        /** How differently the K chosen points predict, each named by its t. */
        Diversity diversity(double[] ts) {
            List<String> names = chosenProbabilities.keySet().stream().map(i -> String.format("t=%.3f", ts[i]))
                    .toList();
            return FunctionalDiversity.of(names, List.copyOf(chosenProbabilities.values()), test);
        }

        /** Every point's predictions as functions, each named by its t; none where they cannot be drawn. */
        Map<String, byte[]> functions(double[] ts) {
            if (inputs == null) {
                return Map.of();
            }
            List<String> names = functions.keySet().stream().map(i -> String.format("t=%.3f", ts[i])).toList();
            return Functions.files(names, inputs, List.copyOf(functions.values()), trainSplit);
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
