package dev.valley.worker.science.average;

import ai.djl.ndarray.NDManager;
import dev.valley.model.job.SwaResult;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;

/** Small helpers the averaging jobs share. */
final class Networks {
    private Networks() {
    }

    /** The start network: the given safetensors, or a fresh one from the seed; its parameters trainable. */
    static Weights start(Architecture architecture, NDManager manager, byte[] startBytes, long seed) {
        if (startBytes == null) {
            return architecture.initialize(manager, seed);
        }
        Weights loaded;
        try {
            loaded = Weights.load(architecture, manager, SafeTensors.read(startBytes));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("start: " + e.getMessage(), e);
        }
        loaded.parameters().forEach(p -> p.setRequiresGradient(true));
        return loaded;
    }

    static SwaResult.Scores scores(Weights weights, DeviceData train, DeviceData test) {
        Metrics tr = Evaluator.evaluate(weights, train);
        Metrics te = Evaluator.evaluate(weights, test);
        return new SwaResult.Scores(tr.loss(), tr.reportedAccuracy(), te.loss(), te.reportedAccuracy());
    }
}
