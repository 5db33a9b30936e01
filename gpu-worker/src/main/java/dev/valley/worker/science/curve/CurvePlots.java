package dev.valley.worker.science.curve;

import dev.valley.model.job.CurveResult;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.train.Metrics;
import java.util.List;

/** curve.png: loss and error (%) along t, the curve solid against the line dashed, train and test (a regression's
 * mean squared error alone). */
final class CurvePlots {
    private CurvePlots() {
    }

    static byte[] png(CurveResult r) {
        double[] t = r.t().stream().mapToDouble(Double::doubleValue).toArray();
        CurveResult.Path c = r.curvePath();
        CurveResult.Path l = r.line();
        String name = r.curve() + " (" + r.bends() + " bends)";
        boolean regression = c.trainAccuracy() == null;
        LineChart.Panel loss = new LineChart.Panel("Loss along the path", "t", Metrics.lossName(regression), List.of(
                new LineChart.Series(name + ", train", t, values(c.trainLoss()), 0, false),
                new LineChart.Series(name + ", test", t, values(c.testLoss()), 1, false),
                new LineChart.Series("line, train", t, values(l.trainLoss()), 0, true),
                new LineChart.Series("line, test", t, values(l.testLoss()), 1, true)));
        if (regression) {
            return LineChart.png(List.of(loss));
        }
        LineChart.Panel error = new LineChart.Panel("Error along the path", "t", "error (%)", List.of(
                new LineChart.Series(name + ", train", t, errors(c.trainAccuracy()), 0, false),
                new LineChart.Series(name + ", test", t, errors(c.testAccuracy()), 1, false),
                new LineChart.Series("line, train", t, errors(l.trainAccuracy()), 0, true),
                new LineChart.Series("line, test", t, errors(l.testAccuracy()), 1, true)));
        return LineChart.png(List.of(loss, error));
    }

    private static double[] values(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] errors(List<Double> accuracies) {
        return accuracies.stream().mapToDouble(a -> 100 * (1 - a)).toArray();
    }
}
