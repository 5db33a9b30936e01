package dev.valley.worker.science.train;

import ai.djl.Device;
import dev.valley.model.job.TrainResult;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.diversity.Functions;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.TorchScriptNetwork;
import dev.valley.worker.science.model.Weights;
import java.util.List;
import java.util.Map;

/** A train spec, start to end: data and network on the device, SGD, final evaluation, the weights as safetensors. */
public final class TrainingRun {
    private final DatasetCatalog datasets;

    public TrainingRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** {@code module}: for a TorchScript module, the archive with the trained weights in it (else null);
     * {@code files}: by name, the kept weights with {@code trajectory} ({@link Trajectory}) and, for a regression on
     * 1-D inputs, the network's predictions as a function ({@link Functions}). */
    public record Output(TrainResult result, byte[] safetensors, byte[] module, Map<String, byte[]> files) {
    }

    public Output run(TrainSpec requested, Device device, TrainingListener listener) {
        return run(requested, device, listener, null);
    }

    /**
     * {@code restored}: the state an earlier attempt of the same job stored (null: start afresh); the run goes on
     * from the epoch after it, with its weights, momentum and history.
     */
    public Output run(TrainSpec requested, Device device, TrainingListener listener, Checkpoint.Restored restored) {
        TrainSpec spec = requested.withDefaults();
        long start = System.nanoTime();
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(), spec.model(),
                device);
                Weights weights = TrainSpec.INIT_ARCHIVE.equals(spec.init())
                        ? ((TorchScriptNetwork) ws.architecture()).archiveWeights(ws.manager())
                        : ws.architecture().initialize(ws.manager(), spec.seed())) {
            DeviceData train = ws.train();
            DeviceData test = ws.test();
            Trajectory trajectory = spec.trajectory() == null ? null
                    : new Trajectory(spec.trajectoryEpochs(), ws.manager());
            TrainingListener listening = listener;
            if (trajectory != null) {
                if (restored != null) {
                    trajectory.restore(restored);
                } else {
                    trajectory.take(0, weights);
                }
                listening = new TrainingListener.Forwarding(listener) {
                    @Override
                    public void onEpoch(TrainResult.EpochRecord record) {
                        trajectory.take(record.epoch(), weights);
                        super.onEpoch(record);
                    }

                    @Override
                    public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                        super.onCheckpoint(epoch, () -> trajectory.into(state.get()));
                    }
                };
            }
            Trainer.Outcome outcome = Trainer.train(weights, train, test, new Trainer.Config(spec.epochs(),
                    spec.batchSize(), spec.lr(), spec.momentum(), spec.weightDecay(), spec.seed(),
                    LearningRates.named(spec.schedule(), spec.lr(), spec.epochs()), spec.precision()), listening,
                    restored == null ? null : new Trainer.Resume(restored));
            Metrics trainMetrics = Evaluator.evaluate(weights, train);
            Metrics testMetrics = Evaluator.evaluate(weights, test);
            TrainResult result = new TrainResult(trainMetrics.loss(), trainMetrics.reportedAccuracy(),
                    testMetrics.loss(), testMetrics.reportedAccuracy(), outcome.history(), device.toString(),
                    (System.nanoTime() - start) / 1e9, weights.parameterCount(), train.size(), test.size(),
                    (double) outcome.steps() * spec.batchSize() / outcome.seconds(),
                    restored == null ? 0 : restored.epoch());
            Map<String, byte[]> files = new java.util.LinkedHashMap<>();
            if (trajectory != null) {
                files.put(Trajectory.FILE, trajectory.file(ws.metadata("valley/trajectory-v1", spec)));
            }
            if (Functions.drawable(ws.data().train())) {
                try (Functions.Inputs inputs = Functions.inputs(ws.data().train(), ws.manager())) {
                    files.putAll(Functions.files(List.of("seed " + spec.seed()), inputs,
                            List.of(Functions.predict(weights, inputs)), ws.data().train()));
                }
            }
            return new Output(result, SafeTensors.write(weights.tensors(), ws.metadata("valley/model-v1", spec)),
                    ws.architecture() instanceof TorchScriptNetwork module ? module.save(weights) : null, files);
        }
    }
}
