package dev.valley.worker.science.average;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.FgeResult;
import dev.valley.model.job.FgeSpec;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
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

    public record Output(FgeResult result, byte[] snapshots, byte[] json, byte[] png) {
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
            DeviceData train = ws.train();
            DeviceData test = ws.test();
            Metrics start = Evaluator.evaluate(weights, test);
            List<FgeResult.Snapshot> snapshots = new ArrayList<>();
            Map<String, NDArray> snapshotTensors = new LinkedHashMap<>();
            NDArray[] sum = {null};
            if (restored != null) {
                snapshots.addAll(List.of(JSON.readValue(restored.required("snapshotRecords"),
                        FgeResult.Snapshot[].class)));
                restored.arrays("snapshots", kept).forEach((name, array) -> snapshotTensors.put("snapshots." + name,
                        array));
                if (!snapshots.isEmpty()) {
                    sum[0] = restored.arrays("ensemble", kept).get("sum");
                }
            }
            Trainer.Outcome outcome = Trainer.train(weights, train, test, new Trainer.Config(spec.epochs(),
                    spec.batchSize(), spec.lr1(), spec.momentum(), spec.weightDecay(), spec.seed(),
                    (epoch, fraction) -> LearningRates.cyclic(spec.lr1(), spec.lr2(), spec.cycle(), epoch, fraction)),
                    new TrainingListener.Forwarding(listener) {
                        @Override
                        public void onEpoch(EpochRecord r) {
                            if (((r.epoch() - 1) % spec.cycle() + 1) == spec.cycle() / 2) {
                                snapshots.add(snapshot(weights, test, kept, snapshots.size(), r.epoch(), sum,
                                        snapshotTensors));
                            }
                            super.onEpoch(r);
                        }

                        @Override
                        public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                            super.onCheckpoint(epoch, () -> {
                                Checkpoint taken = state.get().meta("snapshots",
                                        Integer.toString(snapshots.size()))
                                        .meta("snapshotRecords", JSON.writeValueAsString(snapshots));
                                Map<String, NDArray> stored = new LinkedHashMap<>();
                                snapshotTensors.forEach((k, v) -> stored.put(k.substring("snapshots.".length()), v));
                                taken.put("snapshots", stored);
                                return sum[0] == null ? taken : taken.put("ensemble", Map.of("sum", sum[0]));
                            });
                        }
                    }, restored == null ? null : new Trainer.Resume(restored));
            FgeResult result = new FgeResult(start.loss(), start.accuracy(), snapshots, outcome.history(),
                    device.toString(), (System.nanoTime() - began) / 1e9, weights.parameterCount(), train.size(),
                    test.size());
            Map<String, String> metadata = ws.metadata("valley/snapshots-v1", spec);
            metadata.put("snapshots", Integer.toString(snapshots.size()));
            return new Output(result, SafeTensors.write(snapshotTensors, metadata), JSON.writeValueAsBytes(result),
                    png(result));
        }
    }

    /** Copies the network as snapshot {@code index}, evaluates it alone and adds it to the ensemble. */
    private static FgeResult.Snapshot snapshot(Weights weights, DeviceData test, NDManager kept, int index,
            int epoch, NDArray[] sum, Map<String, NDArray> tensors) {
        weights.tensors().forEach((name, array) -> {
            NDArray copy = array.duplicate();
            copy.attach(kept);
            tensors.put("snapshots." + index + "." + name, copy);
        });
        try (NDManager scope = kept.newSubManager()) {
            Evaluator.Evaluation alone = Evaluator.evaluate(weights, test, scope);
            if (sum[0] == null) {
                sum[0] = alone.probabilities().duplicate();
                sum[0].attach(kept);
            } else {
                sum[0].addi(alone.probabilities());
            }
            NDArray mean = sum[0].div(index + 1);
            mean.attach(scope);
            Metrics ensemble = Evaluator.ensemble(mean, test);
            return new FgeResult.Snapshot(index, epoch, alone.metrics().loss(), alone.metrics().accuracy(),
                    ensemble.loss(), ensemble.accuracy());
        }
    }

    private static byte[] png(FgeResult r) {
        double[] count = r.snapshots().stream().mapToDouble(s -> s.index() + 1).toArray();
        double[] start = count.length == 0 ? new double[0] : new double[] {count[0], count[count.length - 1]};
        LineChart.Panel accuracy = new LineChart.Panel("Test accuracy", "snapshots", "accuracy", List.of(
                new LineChart.Series("ensemble so far", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::ensembleTestAccuracy).toArray(), 1, false),
                new LineChart.Series("snapshot alone", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::testAccuracy).toArray(), 0, true),
                new LineChart.Series("start network", start,
                        new double[] {r.startTestAccuracy(), r.startTestAccuracy()}, 2, true)));
        LineChart.Panel loss = new LineChart.Panel("Test NLL", "snapshots", "cross-entropy", List.of(
                new LineChart.Series("ensemble so far", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::ensembleTestLoss).toArray(), 1, false),
                new LineChart.Series("snapshot alone", count,
                        r.snapshots().stream().mapToDouble(FgeResult.Snapshot::testLoss).toArray(), 0, true),
                new LineChart.Series("start network", start,
                        new double[] {r.startTestLoss(), r.startTestLoss()}, 2, true)));
        return LineChart.png(List.of(accuracy, loss));
    }
}
