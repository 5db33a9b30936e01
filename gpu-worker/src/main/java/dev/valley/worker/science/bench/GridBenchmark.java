package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.grid.GridMetrics;
import dev.valley.worker.science.grid.LinearFirstLayerEvaluator;
import dev.valley.worker.science.grid.PerPointEvaluator;
import dev.valley.worker.science.grid.Plane;
import dev.valley.worker.science.grid.PointEvaluator;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Weights;
import java.util.List;

/**
 * The grid's throughput against the plain per-point loop, in one run: the 21×21 plane through three
 * 784-512-512-10 MLPs (seeds 1, 2, 3; the cost of a point does not depend on the values of the weights) on
 * 10,000 Fashion-MNIST training and 10,000 test images per point, all four metrics. Rows alternate between Valley's
 * evaluator and the per-point loop (weights built afresh, one full forward per point, the same evaluation batch), so
 * both see the same machine; float32 2048² matmul GFLOP/s is measured between them. Run with
 * {@code ./valley bench grid [rows] [evaluation batch] [--json]}.
 */
public final class GridBenchmark {
    private static final int SIDE = 21;
    private static final int SUBSET = 10_000;

    public static void main(String[] options) {
        BenchJson json = BenchJson.of("grid", options);
        String[] args = BenchJson.withoutFlag(options);
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                measure(args.length > 0 ? Integer.parseInt(args[0]) : SIDE,
                        args.length > 1 ? Integer.parseInt(args[1]) : 2000, json);
                return null;
            });
        }
    }

    private static void measure(int rows, int batch, BenchJson json) {
        Device device = Devices.select(System.getProperty("valley.device", "auto"));
        System.out.printf("engine %s %s, device %s, %d threads; %dx%d plane, %d of its rows, evaluation batch %d%n",
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), device,
                Runtime.getRuntime().availableProcessors(), SIDE, SIDE, rows, batch);
        DatasetSplits data = FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR).withTrainSubset(SUBSET, 0);
        Architecture architecture = Architectures.of(new ModelSpec("mlp", List.of(512, 512), null),
                data.sampleShape(), data.outputs());
        double flopsPerPoint = 2.0 * (784 * 512 + 512 * 512 + 512 * 10) * (SUBSET + data.test().size());
        GridMetrics metrics = new GridMetrics(GridMetrics.all());
        try (NDManager manager = NDManager.newBaseManager(device);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test());
                Weights w2 = architecture.initialize(manager, 2);
                Weights w3 = architecture.initialize(manager, 3);
                Plane plane = Plane.points(architecture.initialize(manager, 1), w2, w3, List.of("w1", "w2", "w3"));
                PointEvaluator valley = new LinearFirstLayerEvaluator(plane, train, test, metrics, true, 128, batch);
                PointEvaluator perPoint = new PerPointEvaluator(plane, train, test, metrics, true, 128, batch)) {
            double[] xs = new double[SIDE];
            for (int i = 0; i < SIDE; i++) {
                xs[i] = -0.2 + 1.4 * i / (SIDE - 1);
            }
            // Warm-up: the JIT and libtorch's first calls.
            valley.beginRow(0);
            valley.at(0);
            perPoint.beginRow(0);
            perPoint.at(0);
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
                        worst = Math.max(worst, Math.abs(fast[i][m] - plain[m]) / Math.max(1e-12, Math.abs(plain[m])));
                    }
                }
                long end = System.nanoTime();
                valleySeconds += (middle - start) / 1e9;
                loopSeconds += (end - middle) / 1e9;
                double matmul = TrainingBenchmark.matmulGflops(manager, 5);
                double rate = (r + 1) * SIDE / valleySeconds;
                System.out.printf("rows %2d: Valley %.2f points/s, per-point loop %.2f points/s, %.2fx; matmul %.1f"
                        + " GFLOP/s, effective %.1f GFLOP/s (%.0f%% of matmul); largest relative difference %.1e%n",
                        r + 1, rate, (r + 1) * SIDE / loopSeconds, loopSeconds / valleySeconds, matmul,
                        rate * flopsPerPoint / 1e9, 100 * rate * flopsPerPoint / 1e9 / matmul, worst);
                json.line("rows", r + 1, "pointsPerSecond", rate, "perPointLoopPointsPerSecond", (r + 1) * SIDE
                        / loopSeconds, "speedup", loopSeconds / valleySeconds, "matmulGflops", matmul,
                        "effectiveGflops", rate * flopsPerPoint / 1e9, "largestRelativeDifference", worst,
                        "device", device.toString());
            }
        }
    }
}
