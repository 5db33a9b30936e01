package dev.valley.worker.science.grid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Autocast;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.NoGrad;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plain per-point loop, as the reference tools run it: at every point the weights origin + x·u + y·v are
 * built afresh and the whole network runs forward over the data (after a batch-norm pass when asked). The
 * benchmark's baseline, the second method the tests compare against, and the path for networks whose first-layer
 * products would not fit in the memory a grid may use.
 */
public final class PerPointEvaluator implements PointEvaluator {
    private final Plane plane;
    private final DeviceData train;
    private final DeviceData test;
    private final GridMetrics metrics;
    private final boolean recompute;
    private final int batchNormBatch;
    private final int evaluationBatch;
    private double y;
    /** bf16 passes ({@link Autocast#lower} once per point); null: fp32. */
    private Autocast autocast;

    public PerPointEvaluator(Plane plane, DeviceData train, DeviceData test, GridMetrics metrics,
            boolean recomputeBatchNorm, int batchNormBatch, int evaluationBatch) {
        if (plane.architecture().hasBatchNorm() && !recomputeBatchNorm && !plane.originHasStatistics()) {
            throw new IllegalArgumentException("recomputeBatchNorm: a curve's bends and a simplex's vertices carry no"
                    + " batch-norm statistics; their plane needs them recomputed for this network");
        }
        this.plane = plane;
        this.train = train;
        this.test = test;
        this.metrics = metrics;
        this.recompute = recomputeBatchNorm;
        this.batchNormBatch = batchNormBatch;
        this.evaluationBatch = evaluationBatch;
    }

    /** Every pass in bf16; null: fp32. */
    public PerPointEvaluator autocast(Autocast autocast) {
        this.autocast = autocast;
        return this;
    }

    @Override
    public void beginRow(double y) {
        this.y = y;
    }

    @Override
    public double[] at(double x) {
        return evaluate((name, scope) -> {
            NDArray tensor = plane.u(name).mul(Scalars.of(scope, x));
            tensor.attach(scope);
            NDArray vy = plane.v(name).mul(Scalars.of(scope, y));
            vy.attach(scope);
            return tensor.addi(vy).addi(plane.origin().get(name));
        });
    }

    /** The metrics of the network with these parameters (a trajectory's kept network, say) and the plane's
     * statistics (its origin's, or fresh ones), recomputed where the grid asks for it. */
    public double[] atParameters(Map<String, NDArray> parameters) {
        return evaluate((name, scope) -> {
            NDArray copy = parameters.get(name).duplicate();
            copy.attach(scope);
            return copy;
        });
    }

    /** {@code parameter}: each parameter's tensor by name, it and its intermediates made in the scope given. */
    private double[] evaluate(java.util.function.BiFunction<String, NDManager, NDArray> parameter) {
        Architecture architecture = plane.architecture();
        try (NoGrad noGrad = NoGrad.enter(); NDManager point = plane.manager().newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            Map<String, NDArray> fresh = plane.originHasStatistics() ? Map.of() : architecture.freshBuffers(point);
            for (TensorSpec spec : architecture.tensors()) {
                NDArray tensor;
                if (spec.isParameter()) {
                    try (NDManager scope = point.newSubManager()) {
                        tensor = parameter.apply(spec.name(), scope);
                        tensor.attach(point);
                    }
                } else {
                    tensor = plane.originHasStatistics() ? plane.origin().get(spec.name()).duplicate()
                            : fresh.get(spec.name());
                    tensor.attach(point);
                }
                tensors.put(spec.name(), tensor);
            }
            Weights full = Weights.view(architecture, point, tensors);
            Weights w = autocast == null ? full : autocast.lower(full, point);
            if (recompute) {
                BatchNormStatistics.recompute(w, train, batchNormBatch);
            }
            Evaluator.Evaluation trainEvaluation = metrics.needsTrain() ? evaluate(w, train, point) : null;
            Evaluator.Evaluation testEvaluation = metrics.needsTest() ? evaluate(w, test, point) : null;
            return metrics.values(trainEvaluation, testEvaluation);
        }
    }

    private Evaluator.Evaluation evaluate(Weights w, DeviceData data, NDManager point) {
        return Evaluator.evaluate(w, data, evaluationBatch, point, null);
    }

    @Override
    public void close() {
    }
}
