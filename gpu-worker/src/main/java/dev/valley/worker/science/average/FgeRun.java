package dev.valley.worker.science.average;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.Diversity;
import dev.valley.model.job.FgeResult;
import dev.valley.model.job.FgeSpec;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.diversity.DiversityFiles;
import dev.valley.worker.science.diversity.FunctionalDiversity;
import dev.valley.worker.science.diversity.Functions;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.LearningRates;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Trainer;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An fge spec, start to end: SGD from the start network with fge.py's cyclic rate, a snapshot at the end of the
 * epoch where each cycle reaches lr2, and the ensemble of the snapshots so far after each. Snapshots are ordinary
 * SGD iterates and keep the batch-norm statistics they tracked while training, as fge.py's do.
 */
public final class FgeRun {
    private final DatasetCatalog datasets;

    public FgeRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** {@code files}: by name, the snapshots' diversity artifacts (none with fewer than two snapshots), or for a
     * regression their predictions as functions ({@link Functions}). */
    public record Output(FgeResult result, byte[] snapshots, byte[] json, byte[] png, Map<String, byte[]> files) {
    }

    public Output run(FgeSpec spec, byte[] startBytes, Device device, TrainingListener listener) {
        return run(spec, startBytes, device, listener, null);
    }

    /**
     * {@code checkpoint}: the state an earlier attempt of the same job stored (null: start afresh). The run goes on
     * from the epoch after it with its network, momentum, history, snapshots and ensemble.
     */
    public Output run(FgeSpec spec, byte[] startBytes, Device device, TrainingListener listener,
            Checkpoint.Restored restored) {
        long began = System.nanoTime();
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(), spec.model(),
                device);
                Weights weights = Networks.start(ws.architecture(), ws.manager(), startBytes, spec.seed());
                NDManager kept = ws.manager().newSubManager();
                NoGrad noGrad = NoGrad.enter()) {
            DeviceData test = ws.test();
            Metrics start = Evaluator.evaluate(weights, test);
            Snapshots snapshots = new Snapshots(kept);
            if (restored != null) {
                snapshots.restore(restored);
            }
            Trainer.Outcome outcome = Trainer.train(weights, ws.train(), test, new Trainer.Config(spec.epochs(),
                    spec.batchSize(), spec.lr1(), spec.momentum(), spec.weightDecay(), spec.seed(),
                    (epoch, fraction) -> LearningRates.cyclic(spec.lr1(), spec.lr2(), spec.cycle(), epoch, fraction)),
                    new TrainingListener.Forwarding(listener) {
                        @Override
                        public void onEpoch(EpochRecord r) {
                            // fge.py's snapshot: at the middle of each cycle, where the rate is lowest.
                            if (((r.epoch() - 1) % spec.cycle() + 1) == spec.cycle() / 2) {
                                snapshots.take(weights, test, r.epoch());
                            }
                            super.onEpoch(r);
                        }

                        @Override
                        public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                            super.onCheckpoint(epoch, () -> snapshots.into(state.get()));
                        }
                    }, restored == null ? null : new Trainer.Resume(restored));
            Map<String, byte[]> files = new LinkedHashMap<>();
            Diversity diversity = snapshots.compare(weights, ws, files);
            FgeResult result = new FgeResult(start.loss(), start.reportedAccuracy(), snapshots.records, outcome.history(),
                    device.toString(), (System.nanoTime() - began) / 1e9, weights.parameterCount(),
                    ws.train().size(), test.size(), diversity);
            Map<String, String> metadata = ws.metadata("valley/snapshots-v1", spec);
            metadata.put("snapshots", Integer.toString(snapshots.records.size()));
            return new Output(result, SafeTensors.write(snapshots.tensors, metadata), JSON.writeValueAsBytes(result),
                    png(result), files);
        }
    }

    /** The snapshots so far: their records, their tensors ({@code snapshots.{i}.{name}}) and their summed outputs. */
    private static final class Snapshots {
        private final NDManager kept;
        final List<FgeResult.Snapshot> records = new ArrayList<>();
        final Map<String, NDArray> tensors = new LinkedHashMap<>();
        /** The sum of the snapshots' test probabilities: the ensemble is its mean. */
        private NDArray sum;

        Snapshots(NDManager kept) {
            this.kept = kept;
        }

        void restore(Checkpoint.Restored restored) {
            records.addAll(List.of(JSON.readValue(restored.required("snapshotRecords"), FgeResult.Snapshot[].class)));
            restored.arrays("snapshots", kept).forEach((name, array) -> tensors.put("snapshots." + name, array));
            if (!records.isEmpty()) {
                sum = restored.arrays("ensemble", kept).get("sum");
            }
        }

        /** Copies the network as the next snapshot, evaluates it alone and adds it to the ensemble. */
        void take(Weights weights, DeviceData test, int epoch) {
            int index = records.size();
            weights.tensors().forEach((name, array) -> {
                NDArray copy = array.duplicate();
                copy.attach(kept);
                tensors.put("snapshots." + index + "." + name, copy);
            });
            try (NDManager scope = kept.newSubManager()) {
                Evaluator.Evaluation alone = Evaluator.evaluate(weights, test, scope);
                if (sum == null) {
                    sum = alone.probabilities().duplicate();
                    sum.attach(kept);
                } else {
                    sum.addi(alone.probabilities());
                }
                NDArray mean = sum.div(index + 1);
                mean.attach(scope);
                Metrics ensemble = Evaluator.ensemble(mean, test);
                records.add(new FgeResult.Snapshot(index, epoch, alone.metrics().loss(),
                        alone.metrics().reportedAccuracy(), ensemble.loss(), ensemble.reportedAccuracy()));
            }
        }

        /**
         * How differently the snapshots predict, each evaluated again from its stored tensors (so that a resumed run,
         * which kept no probabilities, measures the same): their diversity (null with fewer than two, or for a
         * regression), its artifacts put in {@code files}, or a regression's functions put there.
         */
        Diversity compare(Weights like, Workspace ws, Map<String, byte[]> files) {
            boolean functions = Functions.drawable(ws.data().train());
            if (records.size() < (functions ? 1 : 2)) {
                return null;
            }
            DeviceData test = ws.test();
            try (NDManager scope = kept.newSubManager();
                    Functions.Inputs inputs = functions ? Functions.inputs(ws.data().train(), scope) : null) {
                List<String> names = new ArrayList<>();
                List<NDArray> probabilities = new ArrayList<>();
                List<double[]> predictions = new ArrayList<>();
                for (FgeResult.Snapshot record : records) {
                    Map<String, NDArray> own = new LinkedHashMap<>();
                    like.tensors().keySet().forEach(name -> own.put(name,
                            tensors.get("snapshots." + record.index() + "." + name)));
                    Weights snapshot = Weights.view(like.architecture(), scope.newSubManager(), own);
                    if (functions) {
                        predictions.add(Functions.predict(snapshot, inputs));
                    } else {
                        probabilities.add(Evaluator.evaluate(snapshot, test, scope).probabilities());
                    }
                    names.add("snapshot " + record.index() + " (epoch " + record.epoch() + ")");
                }
                if (functions) {
                    files.putAll(Functions.files(names, inputs, predictions, ws.data().train()));
                    return null;
                }
                Diversity diversity = FunctionalDiversity.of(names, probabilities, test);
                files.putAll(DiversityFiles.of(diversity));
                return diversity;
            }
        }

        /** The snapshots added to a training checkpoint. */
        Checkpoint into(Checkpoint taken) {
            taken.meta("snapshots", Integer.toString(records.size()))
                    .meta("snapshotRecords", JSON.writeValueAsString(records));
            Map<String, NDArray> stored = new LinkedHashMap<>();
            tensors.forEach((k, v) -> stored.put(k.substring("snapshots.".length()), v));
            taken.put("snapshots", stored);
            return sum == null ? taken : taken.put("ensemble", Map.of("sum", sum));
        }
    }

    private static byte[] png(FgeResult r) {
        double[] count = r.snapshots().stream().mapToDouble(s -> s.index() + 1).toArray();
        double[] start = count.length == 0 ? new double[0] : new double[] {count[0], count[count.length - 1]};
        boolean regression = r.startTestAccuracy() == null;
        LineChart.Panel loss = new LineChart.Panel(regression ? "Test MSE" : "Test NLL", "snapshots",
                Metrics.lossName(regression), List.of(
                new LineChart.Series("ensemble so far", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::ensembleTestLoss).toArray(), 1, false),
                new LineChart.Series("snapshot alone", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::testLoss).toArray(), 0, true),
                new LineChart.Series("start network", start,
                        new double[] {r.startTestLoss(), r.startTestLoss()}, 2, true)));
        if (regression) {
            return LineChart.png(List.of(loss));
        }
        LineChart.Panel accuracy = new LineChart.Panel("Test accuracy", "snapshots", "accuracy", List.of(
                new LineChart.Series("ensemble so far", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::ensembleTestAccuracy).toArray(), 1, false),
                new LineChart.Series("snapshot alone", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::testAccuracy).toArray(), 0, true),
                new LineChart.Series("start network", start,
                        new double[] {r.startTestAccuracy(), r.startTestAccuracy()}, 2, true)));
        return LineChart.png(List.of(accuracy, loss));
    }
}
