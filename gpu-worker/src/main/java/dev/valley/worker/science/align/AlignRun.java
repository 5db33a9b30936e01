package dev.valley.worker.science.align;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.model.job.AlignResult;
import dev.valley.model.job.AlignSpec;
import dev.valley.model.job.CurveResult;
import dev.valley.model.layout.PermutationSpec;
import dev.valley.worker.science.curve.Curve;
import dev.valley.worker.science.curve.CurveRun;
import dev.valley.worker.science.curve.PathEvaluation;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Progress;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An align spec, start to end: the permutations ({@link WeightMatching} or {@link ActivationMatching}), the aligned
 * network, the check that it is the target's function, and the two lines from the reference, to the target and to
 * the aligned network, each evaluated as a curve job evaluates its line (batch norm recomputed at every point).
 */
public final class AlignRun {
    /** The aligned network must compute the target's logits to this, relative to the largest. */
    public static final double SAME_FUNCTION = 1e-5;

    private final DatasetCatalog datasets;

    public AlignRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    public record Output(AlignResult result, byte[] aligned, byte[] permutations, byte[] json, byte[] png) {
    }

    public Output run(AlignSpec spec, byte[] referenceBytes, byte[] targetBytes, Device device,
            TrainingListener listener) {
        long began = System.nanoTime();
        Progress job = Progress.of(listener);
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(),
                spec.testSubset(), spec.model(), device);
                Weights reference = Weights.load(ws.architecture(), ws.manager(), referenceBytes, "reference");
                Weights target = Weights.load(ws.architecture(), ws.manager(), targetBytes, "target")) {
            PermutationSpec permutations = ws.architecture().permutations();
            WeightMatching.Result matched = AlignSpec.ACTIVATIONS.equals(spec.method())
                    ? ActivationMatching.match(reference, target, permutations, ws.train(), spec.subset(), spec.seed())
                    : WeightMatching.match(reference, target, permutations, spec.seed(), AlignSpec.MAX_SWEEPS);
            job.onEvaluation(0.05, "matched " + permutations.groups().size() + " permutations in " + matched.sweeps()
                    + " sweeps");
            try (Weights aligned = WeightMatching.apply(target, permutations, matched.permutations(), ws.manager());
                    Curve toTarget = Curve.line(reference, target, ws.manager());
                    Curve toAligned = Curve.line(reference, aligned, ws.manager())) {
                double difference = functionDifference(target, aligned, ws.test());
                if (!(difference <= SAME_FUNCTION)) {
                    throw new IllegalStateException("the aligned network is not the target's function: its logits"
                            + " differ by " + difference + " of the largest (at most " + SAME_FUNCTION + ")");
                }
                double[] ts = CurveRun.evenlySpaced(spec.points());
                PathEvaluation.Series before = PathEvaluation.evaluate(toTarget, ts, ws.train(), ws.test(),
                        spec.batchSize(), null, PathEvaluation.progress(job.slice(0.1, 0.45), ts.length,
                                "line to the target"));
                PathEvaluation.Series after = PathEvaluation.evaluate(toAligned, ts, ws.train(), ws.test(),
                        spec.batchSize(), null, PathEvaluation.progress(job.slice(0.55, 0.45), ts.length,
                                "line to the aligned target"));
                CurveResult.Path lineToTarget = before.report();
                CurveResult.Path lineToAligned = after.report();
                Map<String, Integer> moved = new LinkedHashMap<>();
                matched.permutations().forEach((name, p) -> {
                    int count = 0;
                    for (int i = 0; i < p.length; i++) {
                        count += p[i] != i ? 1 : 0;
                    }
                    moved.put(name, count);
                });
                AlignResult result = new AlignResult(spec.method(), moved, matched.objective(), matched.sweeps(),
                        matched.converged(), difference, list(ts), lineToTarget, lineToAligned,
                        lineToTarget.barrier() > 0 ? 1 - lineToAligned.barrier() / lineToTarget.barrier() : null,
                        before.batchNormRecomputed(), reference.parameterCount(), device.toString(),
                        (System.nanoTime() - began) / 1e9);
                Map<String, String> metadata = ws.metadata("valley/model-v1", spec);
                return new Output(result, SafeTensors.write(aligned.tensors(), metadata),
                        JSON.writeValueAsBytes(matched.permutations()), JSON.writeValueAsBytes(result),
                        png(ts, lineToTarget, lineToAligned));
            }
        }
    }

    /** max |logit(target) − logit(aligned)| over the split, over max |logit(target)|; eval mode, own statistics. */
    static double functionDifference(Weights target, Weights aligned, DeviceData data) {
        double largest = 0;
        double worst = 0;
        int size = Evaluator.batchFor(target.architecture(), data, target.manager().getDevice());
        try (NoGrad noGrad = NoGrad.enter()) {
            for (int from = 0; from < data.size(); from += size) {
                try (NDManager batch = target.manager().newSubManager()) {
                    NDArray x = data.x().get(batch, new NDIndex().addSliceDim(from,
                            Math.min(from + size, data.size())));
                    NDArray a = target.architecture().forward(target, x, Mode.EVAL);
                    NDArray b = aligned.architecture().forward(aligned, x, Mode.EVAL);
                    a.attach(batch);
                    b.attach(batch);
                    largest = Math.max(largest, a.abs().max().getFloat());
                    worst = Math.max(worst, a.sub(b).abs().max().getFloat());
                }
            }
        }
        return largest == 0 ? worst : worst / largest;
    }

    private static byte[] png(double[] t, CurveResult.Path target, CurveResult.Path aligned) {
        LineChart.Panel loss = new LineChart.Panel("Loss along the line from the reference", "t", "cross-entropy",
                List.of(new LineChart.Series("to aligned, train", t, values(aligned.trainLoss()), 0, false),
                        new LineChart.Series("to aligned, test", t, values(aligned.testLoss()), 1, false),
                        new LineChart.Series("to target, train", t, values(target.trainLoss()), 0, true),
                        new LineChart.Series("to target, test", t, values(target.testLoss()), 1, true)));
        LineChart.Panel error = new LineChart.Panel("Error along the line from the reference", "t", "error (%)",
                List.of(new LineChart.Series("to aligned, test", t, errors(aligned.testAccuracy()), 1, false),
                        new LineChart.Series("to target, test", t, errors(target.testAccuracy()), 1, true)));
        return LineChart.png(List.of(loss, error));
    }

    private static double[] values(List<Double> list) {
        return list.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] errors(List<Double> accuracy) {
        return accuracy.stream().mapToDouble(a -> 100 * (1 - a)).toArray();
    }

    private static List<Double> list(double[] values) {
        List<Double> out = new ArrayList<>();
        for (double v : values) {
            out.add(v);
        }
        return out;
    }
}
