package dev.valley.worker.science.grid;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.worker.science.Scalars;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Autocast;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.NoGrad;
import java.util.HashSet;
import java.util.Set;

/**
 * A plane's points evaluated with the first layer done by algebra. The first layer is linear in its weight and
 * bias, so on a plane its output is X·W(x, y)ᵀ + b(x, y) = A + x·B + y·C with A = X·W1ᵀ + b1, B = X·Uᵀ + bu and
 * C = X·Vᵀ + bv: three products per split computed once, then per row A + y·C, then per point one scaled addition
 * in place of the first layer's matrix product (for a first convolution likewise). The rest of the network runs
 * on weights formed in place; batch-norm statistics are recomputed per point over the training data when asked.
 */
public final class LinearFirstLayerEvaluator implements PointEvaluator {
    private final Plane plane;
    private final GridMetrics metrics;
    private final boolean recompute;
    private final int batchNormBatch;
    private final int evaluationBatch;
    private final NDManager manager;
    private final PlanePoints points;
    private final Split train;
    private final Split test;
    /** bf16 passes of the rest of the network; null: fp32. */
    private Autocast autocast;

    /** One split's products: a = A, b = B, c = C, and ay = A + y·C for the current row. */
    private static final class Split {
        final DeviceData data;
        final NDArray a;
        final NDArray b;
        final NDArray c;
        NDArray ay;

        Split(DeviceData data, NDArray a, NDArray b, NDArray c) {
            this.data = data;
            this.a = a;
            this.b = b;
            this.c = c;
        }

        /** The first layer's output at x for examples [from, to). */
        NDArray first(NDManager batch, int from, int to, double x) {
            NDIndex rows = new NDIndex().addSliceDim(from, to);
            NDArray out = b.get(batch, rows).mul(Scalars.of(batch, x));
            out.attach(batch);
            return out.addi(ay.get(batch, rows));
        }
    }

    public LinearFirstLayerEvaluator(Plane plane, DeviceData trainData, DeviceData testData, GridMetrics metrics,
            boolean recomputeBatchNorm, int batchNormBatch, int evaluationBatch) {
        this(plane, trainData, testData, metrics, recomputeBatchNorm, batchNormBatch, evaluationBatch, null);
    }

    /**
     * {@code sharing}: an evaluator of a plane with the same origin and u (another frame of one curve's fit), whose
     * A and B this one uses rather than computing them again; it must stay open as long as this one. Null: none.
     */
    public LinearFirstLayerEvaluator(Plane plane, DeviceData trainData, DeviceData testData, GridMetrics metrics,
            boolean recomputeBatchNorm, int batchNormBatch, int evaluationBatch, LinearFirstLayerEvaluator sharing) {
        Architecture architecture = plane.architecture();
        if (architecture.hasBatchNorm() && !recomputeBatchNorm && !plane.originHasStatistics()) {
            throw new IllegalArgumentException("recomputeBatchNorm: a curve's bends and a simplex's vertices carry no"
                    + " batch-norm statistics; their plane needs them recomputed for this network");
        }
        this.plane = plane;
        this.metrics = metrics;
        this.recompute = recomputeBatchNorm && architecture.hasBatchNorm();
        this.batchNormBatch = batchNormBatch;
        this.evaluationBatch = evaluationBatch;
        this.manager = plane.manager().newSubManager();
        Set<String> first = new HashSet<>();
        first.add(architecture.firstWeight());
        if (architecture.firstBias() != null) {
            first.add(architecture.firstBias());
        }
        this.points = new PlanePoints(plane, first);
        try (NoGrad noGrad = NoGrad.enter()) {
            this.train = metrics.needsTrain() || recompute
                    ? products(trainData, sharing == null ? null : sharing.train) : null;
            this.test = metrics.needsTest() ? products(testData, sharing == null ? null : sharing.test) : null;
        }
    }

    /** Bytes this evaluator keeps per example: four tensors (A, B, C, A + y·C) of the first layer's output. */
    public static long bytesPerExample(Plane plane, DeviceData data) {
        Architecture architecture = plane.architecture();
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = data.x().getManager().newSubManager()) {
            NDArray one = data.x().get(scope, new NDIndex().addSliceDim(0, 1));
            NDArray out = architecture.first(one, plane.u(architecture.firstWeight()), null);
            out.attach(scope);
            return 4L * 4 * out.size();
        }
    }

    /** A, B and C of a split; A and B from {@code shared} where given (the same origin and u). */
    private Split products(DeviceData data, Split shared) {
        Architecture architecture = plane.architecture();
        String weight = architecture.firstWeight();
        String bias = architecture.firstBias();
        NDArray a;
        NDArray b;
        if (shared != null) {
            a = shared.a;
            b = shared.b;
        } else {
            a = architecture.first(data.x(), plane.origin().get(weight),
                    bias == null ? null : plane.origin().get(bias));
            b = architecture.first(data.x(), plane.u(weight), bias == null ? null : plane.u(bias));
            a.attach(manager);
            b.attach(manager);
        }
        NDArray c = architecture.first(data.x(), plane.v(weight), bias == null ? null : plane.v(bias));
        c.attach(manager);
        return new Split(data, a, b, c);
    }

    /** The rest of the network in bf16 at every point (the point's weights {@link Autocast#lower}ed once); null:
     * fp32. */
    public LinearFirstLayerEvaluator autocast(Autocast autocast) {
        this.autocast = autocast;
        return this;
    }

    @Override
    public void beginRow(double y) {
        points.beginRow(y);
        for (Split split : new Split[] {train, test}) {
            if (split != null) {
                if (split.ay != null) {
                    split.ay.close();
                }
                try (NoGrad noGrad = NoGrad.enter()) {
                    split.ay = split.c.mul(Scalars.of(manager, y)).addi(split.a);
                }
                split.ay.attach(manager);
            }
        }
    }

    @Override
    public double[] at(double x) {
        Weights point = points.at(x);
        try (NoGrad noGrad = NoGrad.enter(); Weights lowered = autocast == null ? null
                : autocast.lower(point, manager)) {
            Weights w = lowered == null ? point : lowered;
            if (recompute) {
                BatchNormStatistics.recompute(w, train.data.size(), batchNormBatch, (batch, from, to) ->
                        w.architecture().rest(w, train.first(batch, from, to, x), Mode.MEASURE));
            }
            Evaluator.Evaluation trainEvaluation = metrics.needsTrain() ? evaluate(w, train, x) : null;
            Evaluator.Evaluation testEvaluation = metrics.needsTest() ? evaluate(w, test, x) : null;
            return metrics.values(trainEvaluation, testEvaluation);
        }
    }

    private Evaluator.Evaluation evaluate(Weights w, Split split, double x) {
        return Evaluator.evaluate(manager, split.data, evaluationBatch, null,
                (batch, from, to) -> w.architecture().rest(w, split.first(batch, from, to, x), Mode.EVAL));
    }

    @Override
    public void close() {
        points.close();
        manager.close();
    }
}
