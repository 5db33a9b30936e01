package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.model.job.Precision;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.grid.GridMetrics;
import dev.valley.worker.science.grid.LinearFirstLayerEvaluator;
import dev.valley.worker.science.grid.PerPointEvaluator;
import dev.valley.worker.science.grid.Plane;
import dev.valley.worker.science.grid.PointEvaluator;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Autocast;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TensorSpec;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.NoGrad;
import java.util.List;

/**
 * A grid's throughput in one run, against the plain per-point loop and against the algebraic limit. The 21×21 plane
 * through three networks (seeds 1, 2, 3; a point's cost does not depend on the weights' values), all four metrics,
 * batch norm recomputed at every point where the network has it. Rows alternate between Valley's evaluator and the
 * per-point loop (weights built afresh, one full forward per point, the same evaluation batch), so both see the same
 * machine. After each row, the bound: with the first layer done by algebra, what remains of a point is the rest of
 * the network over the subsets, so
 * <ul>
 * <li>for the MLP, float32 2048² matmul GFLOP/s ÷ the rest's matmul FLOPs per point;</li>
 * <li>for every network, a plain forward of the rest over a first-layer output computed once (the passes a point
 * needs: a batch-norm pass over the train subset where there is one, then train and test), timed.</li>
 * </ul>
 * <pre>
 * ./valley bench grid [rows] [--arch mlp|vgg|preresnet20|preresnet20-plain[@32]] [--batch N] [--precision bf16]
 *                   [--json]
 * </pre>
 * The MLP evaluates 10,000 Fashion-MNIST training and 10,000 test images per point, the conv nets 1,000 and 1,000.
 */
public final class GridBenchmark {
    private static final int SIDE = 21;

    public static void main(String[] options) {
        BenchJson json = BenchJson.of("grid", options);
        String[] args = BenchJson.withoutFlag(options);
        int rows = SIDE;
        String arch = "mlp";
        Integer batch = null;
        String precision = Precision.FP32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--arch" -> arch = args[++i];
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--precision" -> precision = args[++i];
                default -> rows = Integer.parseInt(args[i]);
            }
        }
        BenchCase base = BenchCase.of(arch);
        int subset = base.flopsPerSample() > 0 ? 10_000 : 1_000;
        BenchCase c = base.withSizes(subset, subset);
        int rowCount = rows;
        Integer evaluationBatch = batch;
        String chosenPrecision = precision;
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                measure(c, rowCount, evaluationBatch, chosenPrecision, json);
                return null;
            });
        }
    }

    /** {@code precision} bf16: Valley's evaluator in bf16 ({@link Autocast}), the per-point loop and the bound in
     * float32, so that the rows also print bf16's largest relative effect on the values. */
    private static void measure(BenchCase c, int rows, Integer chosenBatch, String precision, BenchJson json) {
        Device device = TrainingBenchmark.device();
        GridMetrics metrics = new GridMetrics(GridMetrics.all());
        try (NDManager manager = NDManager.newBaseManager(device);
                BenchCase.Data data = c.load(manager)) {
            Architecture architecture = data.architecture();
            DeviceData train = data.train();
            DeviceData test = data.test();
            int batch = chosenBatch != null ? chosenBatch : Evaluator.batchFor(architecture, train, device);
            boolean batchNorm = architecture.hasBatchNorm();
            System.out.printf("%s, %dx%d plane, %d of its rows, %d + %d examples per point, evaluation batch %d%s,"
                    + " Valley in %s%n", c.label(), SIDE, SIDE, rows, train.size(), test.size(), batch,
                    batchNorm ? ", batch norm recomputed" : "", precision);
            double matmulFlopsPerPoint = restMatmulFlops(architecture) * (train.size() + test.size());
            try (Weights w2 = architecture.initialize(manager, 2);
                    Weights w3 = architecture.initialize(manager, 3);
                    Plane plane = Plane.points(architecture.initialize(manager, 1), w2, w3, List.of("w1", "w2",
                            "w3"));
                    Autocast autocast = Autocast.forPrecision(precision, architecture, manager);
                    PointEvaluator valley = new LinearFirstLayerEvaluator(plane, train, test, metrics, true,
                            BenchCase.BATCH, batch).autocast(autocast);
                    PointEvaluator perPoint = new PerPointEvaluator(plane, train, test, metrics, true,
                            BenchCase.BATCH, batch);
                    Rest rest = new Rest(architecture, architecture.initialize(manager, 4), train, test, batch)) {
                double[] xs = new double[SIDE];
                for (int i = 0; i < SIDE; i++) {
                    xs[i] = -0.2 + 1.4 * i / (SIDE - 1);
                }
                // Warm-up: the JIT and libtorch's first calls.
                valley.beginRow(0);
                valley.at(0);
                perPoint.beginRow(0);
                perPoint.at(0);
                rest.seconds();
                double valleySeconds = 0;
                double loopSeconds = 0;
                double worst = 0;
                for (int r = 0; r < rows; r++) {
                    double y = xs[r];
                    long start = System.nanoTime();
                    valley.beginRow(y);
                    double[][] fast = new double[SIDE][];
                    for (int i = 0; i < SIDE; i++) {
                        fast[i] = valley.at(xs[i]);
                    }
                    long middle = System.nanoTime();
                    perPoint.beginRow(y);
                    for (int i = 0; i < SIDE; i++) {
                        double[] plain = perPoint.at(xs[i]);
                        for (int m = 0; m < plain.length; m++) {
                            worst = Math.max(worst, Math.abs(fast[i][m] - plain[m])
                                    / Math.max(1e-12, Math.abs(plain[m])));
                        }
                    }
                    long end = System.nanoTime();
                    valleySeconds += (middle - start) / 1e9;
                    loopSeconds += (end - middle) / 1e9;
                    double restRate = 1 / rest.seconds();
                    double matmul = TrainingBenchmark.matmulGflops(manager, 5);
                    double rate = (r + 1) * SIDE / valleySeconds;
                    double matmulBound = matmulFlopsPerPoint > 0 ? matmul * 1e9 / matmulFlopsPerPoint : Double.NaN;
                    double bound = matmulFlopsPerPoint > 0 ? matmulBound : restRate;
                    System.out.printf("rows %2d: Valley %.2f points/s, per-point loop %.2f points/s (%.2fx); bound"
                            + " %.2f points/s (%s), Valley at %.0f%% of it; rest's forward alone %.2f points/s;"
                            + " largest relative difference %.1e%n", r + 1, rate, (r + 1) * SIDE / loopSeconds,
                            loopSeconds / valleySeconds, bound, matmulFlopsPerPoint > 0 ? String.format(
                                    "matmul %.1f GFLOP/s over %.2f GFLOP per point", matmul, matmulFlopsPerPoint / 1e9)
                                    : "the rest's forward", 100 * rate / bound, restRate, worst);
                    json.line("case", c.label(), "rows", r + 1, "pointsPerSecond", rate,
                            "perPointLoopPointsPerSecond", (r + 1) * SIDE / loopSeconds, "speedup",
                            loopSeconds / valleySeconds, "boundPointsPerSecond", bound, "ofBound", rate / bound,
                            "restForwardPointsPerSecond", restRate, "matmulGflops", matmul,
                            "largestRelativeDifference", worst, "evaluationBatch", batch, "device", device.toString(),
                            "precision", precision);
                }
            }
        }
    }

    /** Multiply-adds ×2 of every Linear after the first, per example: the MLP's rest is matrix products. */
    private static double restMatmulFlops(Architecture architecture) {
        if (architecture.tensors().stream().anyMatch(t -> t.shape().dimension() > 2)) {
            return 0;
        }
        return 2.0 * architecture.tensors().stream().filter(TensorSpec::isParameter)
                .filter(t -> t.shape().dimension() == 2 && !t.name().equals(architecture.firstWeight()))
                .mapToLong(t -> t.shape().size()).sum();
    }

    /** The rest of the network over a first-layer output computed once: a point's work without the first layer. */
    private static final class Rest implements AutoCloseable {
        private final Architecture architecture;
        private final Weights weights;
        private final NDManager manager;
        private final NDArray train;
        private final NDArray test;
        private final int batch;

        Rest(Architecture architecture, Weights weights, DeviceData trainData, DeviceData testData, int batch) {
            this.architecture = architecture;
            this.weights = weights;
            this.manager = weights.manager().newSubManager();
            this.batch = batch;
            try (NoGrad noGrad = NoGrad.enter()) {
                String bias = architecture.firstBias();
                train = architecture.first(trainData.x(), weights.get(architecture.firstWeight()),
                        bias == null ? null : weights.get(bias));
                test = architecture.first(testData.x(), weights.get(architecture.firstWeight()),
                        bias == null ? null : weights.get(bias));
                train.attach(manager);
                test.attach(manager);
            }
        }

        /** Reads one number at the end only, so that a GPU's queue is timed whole. */
        double seconds() {
            long start = System.nanoTime();
            try (NoGrad noGrad = NoGrad.enter(); NDManager pass = manager.newSubManager()) {
                NDArray done = pass.zeros(new ai.djl.ndarray.types.Shape());
                if (architecture.hasBatchNorm()) {
                    BatchNormStatistics.recompute(weights, (int) train.getShape().get(0), BenchCase.BATCH,
                            (scope, from, to) -> architecture.rest(weights, slice(train, scope, from, to),
                                    Mode.MEASURE));
                }
                for (NDArray first : new NDArray[] {train, test}) {
                    long n = first.getShape().get(0);
                    for (int from = 0; from < n; from += batch) {
                        try (NDManager scope = manager.newSubManager()) {
                            NDArray logits = architecture.rest(weights, slice(first, scope, from,
                                    (int) Math.min(from + batch, n)), Mode.EVAL);
                            done.addi(logits.get(0, 0));
                        }
                    }
                }
                done.getFloat();
            }
            return (System.nanoTime() - start) / 1e9;
        }

        private static NDArray slice(NDArray first, NDManager scope, int from, int to) {
            return first.get(scope, new NDIndex().addSliceDim(from, to));
        }

        @Override
        public void close() {
            manager.close();
            weights.close();
        }
    }
}
