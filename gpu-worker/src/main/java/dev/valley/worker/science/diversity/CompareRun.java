package dev.valley.worker.science.diversity;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.CompareResult;
import dev.valley.model.job.CompareSpec;
import dev.valley.model.job.Diversity;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A compare spec: each network evaluated on the test split (or its subset) with its own batch-norm statistics, one at
 * a time (only its probabilities stay on the device), then their {@link FunctionalDiversity}.
 */
public final class CompareRun {
    private final DatasetCatalog datasets;

    public CompareRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** {@code files}: the diversity's artifacts by name ({@link DiversityFiles}), or a regression's functions
     * ({@link Functions}). */
    public record Output(CompareResult result, Map<String, byte[]> files) {
    }

    /** {@code bytes}: each network's safetensors by spec field ({@code networks[i]}). */
    public Output run(CompareSpec spec, Function<String, byte[]> bytes, Device device, TrainingListener listener) {
        long began = System.nanoTime();
        int k = spec.networks().size();
        // One training example: nothing here trains or recomputes batch norm, so the train split stays on the host. A
        // regression's networks are drawn as functions over its inputs' range, so its (small) train split is whole.
        Integer trainSubset = dev.valley.model.job.Datasets.isRegression(spec.dataset()) ? null : 1;
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), trainSubset, spec.testSubset(),
                spec.model(), device); NDManager kept = ws.manager().newSubManager()) {
            List<String> names = new ArrayList<>();
            List<NDArray> probabilities = new ArrayList<>();
            boolean functions = Functions.drawable(ws.data().train());
            Functions.Inputs inputs = functions ? Functions.inputs(ws.data().train(), kept) : null;
            List<double[]> predictions = new ArrayList<>();
            long parameters = 0;
            for (int i = 0; i < k; i++) {
                String field = "networks[" + i + "]";
                try (Weights w = Weights.load(ws.architecture(), ws.manager(), bytes.apply(field), field)) {
                    probabilities.add(Evaluator.evaluate(w, ws.test(), kept).probabilities());
                    if (functions) {
                        predictions.add(Functions.predict(w, inputs));
                    }
                    parameters = w.parameterCount();
                }
                names.add(field);
                listener.onEvaluation((i + 1.0) / (k + 1), "evaluated " + field);
            }
            Diversity diversity = FunctionalDiversity.of(names, probabilities, ws.test());
            CompareResult result = new CompareResult(diversity, parameters, device.toString(),
                    (System.nanoTime() - began) / 1e9);
            Map<String, byte[]> files = new java.util.LinkedHashMap<>(DiversityFiles.of(diversity));
            if (functions) {
                files.putAll(Functions.files(names, inputs, predictions, ws.data().train()));
            }
            return new Output(result, files);
        }
    }
}
