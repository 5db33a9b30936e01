package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.curve.CurveKind;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.grid.GridMetrics;
import dev.valley.worker.science.grid.LinearFirstLayerEvaluator;
import dev.valley.worker.science.grid.Plane;
import dev.valley.worker.science.grid.PointEvaluator;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Weights;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid with frames against as many separate grids, in one run: F curve planes of 784-512-512-10 MLPs (fixed
 * endpoints, seeds 1 and 2; a different bend per frame, seed 10 + f) over 2,000 Fashion-MNIST training and 2,000
 * test images, all four metrics. "Frames" opens the F evaluators as a grid with frames does (the endpoints'
 * first-layer products A and B once, C per frame); "separate" opens F evaluators each with its own products, as F
 * grid jobs would; both then evaluate the same side × side points of every frame. Rounds alternate, so both see the
 * same machine. Run with {@code ./valley bench frames [frames] [side] [rounds]}; one JSON line per round.
 */
public final class FramesBenchmark {
    private static final int SUBSET = 2_000;

    public static void main(String[] args) {
        int frames = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int side = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                measure(frames, side, rounds);
                return null;
            });
        }
    }

    private static void measure(int frames, int side, int rounds) {
        Device device = Devices.select(System.getProperty("valley.device", "auto"));
        DatasetSplits data = FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR).withTrainSubset(SUBSET, 0)
                .withTestSubset(SUBSET, 0);
        Architecture architecture = Architectures.of(new ModelSpec("mlp", List.of(512, 512), null),
                data.sampleShape(), data.outputs());
        GridMetrics metrics = new GridMetrics(GridMetrics.all());
        try (NDManager manager = NDManager.newBaseManager(device);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test());
                Weights w1 = architecture.initialize(manager, 1);
                Weights w2 = architecture.initialize(manager, 2)) {
            List<Plane> planes = new ArrayList<>();
            for (int f = 0; f < frames; f++) {
                try (Weights bend = architecture.initialize(manager, 10 + f)) {
                    planes.add(Plane.curve(w1.copy(manager, false), bend, w2, CurveKind.of("bezier")));
                }
            }
            double[] xs = new double[side];
            for (int i = 0; i < side; i++) {
                xs[i] = -0.2 + 1.4 * i / Math.max(1, side - 1);
            }
            for (int round = 0; round <= rounds; round++) {
                double shared = run(planes, train, test, metrics, xs, true);
                double separate = run(planes, train, test, metrics, xs, false);
                if (round > 0) { // round 0 warms up
                    double points = (double) frames * side * side;
                    System.out.printf("{\"bench\":\"frames\",\"round\":%d,\"device\":\"%s\",\"frames\":%d,"
                            + "\"points\":%.0f,\"framesPointsPerSecond\":%.2f,\"separatePointsPerSecond\":%.2f,"
                            + "\"framesOverSeparateTime\":%.3f}%n", round, device, frames, points, points / shared,
                            points / separate, shared / separate);
                }
            }
            planes.forEach(Plane::close);
        }
    }

    /** Seconds to open the frames' evaluators (sharing A and B, or not) and evaluate every point of every frame. */
    private static double run(List<Plane> planes, DeviceData train, DeviceData test, GridMetrics metrics,
            double[] xs, boolean share) {
        long start = System.nanoTime();
        List<LinearFirstLayerEvaluator> evaluators = new ArrayList<>();
        try {
            for (Plane plane : planes) {
                evaluators.add(new LinearFirstLayerEvaluator(plane, train, test, metrics, true, 128, 2000,
                        share && !evaluators.isEmpty() ? evaluators.get(0) : null));
            }
            for (PointEvaluator e : evaluators) {
                for (double y : xs) {
                    e.beginRow(y);
                    for (double x : xs) {
                        e.at(x);
                    }
                }
            }
        } finally {
            for (int i = evaluators.size() - 1; i >= 0; i--) {
                evaluators.get(i).close();
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
