package dev.valley.worker.science.curve;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.CurveResult;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.CancelledException;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A path (a fitted curve or the straight line) evaluated at every t: each point gets fresh batch-norm statistics
 * recomputed over the training data before its train and test metrics are taken.
 */
public final class PathEvaluation {

    /** Receives each point's weights (batch norm recomputed) and test-set softmax outputs (a regression's
     * predictions), valid only during the call. */
    public interface Predictions {
        void accept(int index, Weights phi, NDArray probabilities);
    }

    /** Called after each point, for progress and cancellation. */
    public interface PointListener {
        void onPoint(int index);

        boolean cancelRequested();
    }

    /** {@code steps[i]}: ‖φ(t_i) − φ(t_{i−1})‖ over the parameters, 0 at i = 0. A regression's accuracies are NaN. */
    public record Series(double[] trainLoss, double[] trainAccuracy, double[] testLoss, double[] testAccuracy,
            double[] steps, boolean batchNormRecomputed) {

        public boolean isRegression() {
            return Double.isNaN(testAccuracy[0]);
        }

        /** The path as a result reports it: a regression has no accuracy series (null) and no summary of them. */
        public CurveResult.Path report() {
            boolean regression = isRegression();
            Map<String, CurveResult.Stats> summary = new LinkedHashMap<>();
            summary.put("trainLoss", stats(trainLoss, steps));
            if (!regression) {
                summary.put("trainAccuracy", stats(trainAccuracy, steps));
            }
            summary.put("testLoss", stats(testLoss, steps));
            if (!regression) {
                summary.put("testAccuracy", stats(testAccuracy, steps));
            }
            double length = 0;
            for (double s : steps) {
                length += s;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (double v : trainLoss) {
                max = Math.max(max, v);
            }
            double barrier = max - (trainLoss[0] + trainLoss[trainLoss.length - 1]) / 2;
            return new CurveResult.Path(list(trainLoss), regression ? null : list(trainAccuracy), list(testLoss),
                    regression ? null : list(testAccuracy), summary, length, barrier);
        }
    }

    private PathEvaluation() {
    }

    /** Reports each evaluated point of {@code path} as progress of {@code part}, and passes on its cancel. */
    public static PointListener progress(dev.valley.worker.science.train.Progress part, int points, String path) {
        return new PointListener() {
            @Override
            public void onPoint(int index) {
                part.onEvaluation((double) (index + 1) / points,
                        String.format("evaluated the %s at %d of %d points", path, index + 1, points));
            }

            @Override
            public boolean cancelRequested() {
                return part.cancelRequested();
            }
        };
    }

    /** Min, max, plain mean, and the mean over arc length by the trapezoid rule (the plain mean if length is 0). */
    static CurveResult.Stats stats(double[] values, double[] steps) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double v : values) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }
        double weighted = 0;
        double length = 0;
        for (int i = 1; i < values.length; i++) {
            weighted += 0.5 * (values[i - 1] + values[i]) * steps[i];
            length += steps[i];
        }
        double mean = sum / values.length;
        return new CurveResult.Stats(min, max, mean, length > 0 ? weighted / length : mean);
    }

    public static Series evaluate(Curve path, double[] ts, DeviceData train, DeviceData test, int batchSize,
            Predictions predictions, PointListener listener) {
        int n = ts.length;
        double[] trainLoss = new double[n];
        double[] trainAccuracy = new double[n];
        double[] testLoss = new double[n];
        double[] testAccuracy = new double[n];
        double[] steps = new double[n];
        boolean recomputed = false;
        try (NoGrad noGrad = NoGrad.enter(); NDManager kept = path.manager().newSubManager()) {
            List<NDArray> previous = null;
            for (int i = 0; i < n; i++) {
                if (listener.cancelRequested()) {
                    throw new CancelledException(0, i);
                }
                try (NDManager scope = path.manager().newSubManager()) {
                    Weights phi = path.point(ts[i], scope, path.architecture().freshBuffers(scope));
                    recomputed = BatchNormStatistics.recompute(phi, train, batchSize);
                    Metrics trainMetrics = Evaluator.evaluate(phi, train);
                    Evaluator.Evaluation testEvaluation = Evaluator.evaluate(phi, test,
                            predictions == null ? null : scope);
                    trainLoss[i] = trainMetrics.loss();
                    trainAccuracy[i] = trainMetrics.accuracy();
                    testLoss[i] = testEvaluation.metrics().loss();
                    testAccuracy[i] = testEvaluation.metrics().accuracy();
                    if (predictions != null) {
                        predictions.accept(i, phi, testEvaluation.probabilities());
                    }
                    List<NDArray> current = new ArrayList<>();
                    double squared = 0;
                    int j = 0;
                    for (NDArray p : phi.parameters()) {
                        if (previous != null) {
                            squared += p.sub(previous.get(j++)).square().sum().getFloat();
                        }
                        NDArray copy = p.duplicate();
                        copy.attach(kept);
                        current.add(copy);
                    }
                    steps[i] = Math.sqrt(squared);
                    if (previous != null) {
                        previous.forEach(NDArray::close);
                    }
                    previous = current;
                }
                listener.onPoint(i);
            }
        }
        return new Series(trainLoss, trainAccuracy, testLoss, testAccuracy, steps, recomputed);
    }

    static List<Double> list(double[] values) {
        List<Double> result = new ArrayList<>(values.length);
        for (double v : values) {
            result.add(v);
        }
        return result;
    }
}
