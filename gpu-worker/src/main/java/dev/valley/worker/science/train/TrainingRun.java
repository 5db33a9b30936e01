package dev.valley.worker.science.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.TrainResult;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Weights;
import java.util.LinkedHashMap;
import java.util.Map;

/** A train spec, start to end: data and network on the device, SGD, final evaluation, the weights as safetensors. */
public final class TrainingRun {
    private final DatasetCatalog datasets;

    public TrainingRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    public record Output(TrainResult result, byte[] safetensors) {
    }

    public Output run(TrainSpec requested, Device device, TrainingListener listener) {
        TrainSpec spec = requested.withDefaults();
        long start = System.nanoTime();
        DatasetSplits data = datasets.load(spec.dataset(), spec.seed()).withTrainSubset(spec.trainSubset(), spec.seed());
        Architecture architecture = Architectures.of(spec.model(), data.sampleShape(), data.classes());
        try (NDManager manager = NDManager.newBaseManager(device);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test());
                Weights weights = architecture.initialize(manager, spec.seed())) {
            Trainer.Outcome outcome = Trainer.train(weights, train, test, new Trainer.Config(spec.epochs(),
                    spec.batchSize(), spec.lr(), spec.momentum(), spec.weightDecay(), spec.seed(),
                    LearningRates.named(spec.schedule(), spec.lr(), spec.epochs())), listener);
            Metrics trainMetrics = Evaluator.evaluate(weights, train);
            Metrics testMetrics = Evaluator.evaluate(weights, test);
            TrainResult result = new TrainResult(trainMetrics.loss(), trainMetrics.accuracy(), testMetrics.loss(),
                    testMetrics.accuracy(), outcome.history(), device.toString(), (System.nanoTime() - start) / 1e9,
                    weights.parameterCount(), train.size(), test.size(),
                    (double) outcome.steps() * spec.batchSize() / outcome.seconds());
            Map<String, String> metadata = new LinkedHashMap<>(architecture.metadata());
            metadata.put("dataset", spec.dataset());
            metadata.put("classes", Integer.toString(data.classes()));
            metadata.put("format", "valley/model-v1");
            metadata.put("spec", SpecJson.write(spec));
            return new Output(result, SafeTensors.write(weights.tensors(), metadata));
        }
    }
}
