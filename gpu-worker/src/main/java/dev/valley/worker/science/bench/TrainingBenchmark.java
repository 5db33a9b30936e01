package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.curve.Curve;
import dev.valley.worker.science.curve.CurveKind;
import dev.valley.worker.science.curve.CurveTrainer;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Trainer;
import dev.valley.worker.science.train.TrainingListener;
import java.util.List;

/**
 * Prints, in one run, training samples/s of the 784-512-512-10 MLP on Fashion-MNIST (batch 128, SGD with momentum)
 * and float32 2048x2048 matmul GFLOP/s, and the seconds of one curve epoch (a 3-bend Bezier curve between two such
 * MLPs) against one training epoch, interleaved in rounds because these machines are shared and noisy.
 * Run with {@code ./valley bench [rounds] [--json]}.
 */
public final class TrainingBenchmark {
    private static final int N = 2048;

    public static void main(String[] args) {
        // On one compute thread, as the worker runs jobs (see ComputeThread).
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                measure(args);
                return null;
            });
        }
    }

    private static void measure(String[] options) {
        BenchJson json = BenchJson.of("training", options);
        String[] args = BenchJson.withoutFlag(options);
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        Device device = device();
        DatasetSplits data = FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR);
        try (NDManager manager = NDManager.newBaseManager(device);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test().select(new int[] {0}))) {
            var architecture = Architectures.of(new ModelSpec("mlp", List.of(512, 512), null), data.sampleShape(), 10);
            double flopsPerSample = 6.0 * (784 * 512 + 512 * 512 + 512 * 10);
            // Warm-up: the JIT and libtorch's first calls.
            trainSamplesPerSecond(architecture, manager, train, test, 1);
            matmulGflops(manager, 5);
            curveEpochSeconds(architecture, manager, train);
            for (int round = 1; round <= rounds; round++) {
                double matmul = matmulGflops(manager, 20);
                double samples = trainSamplesPerSecond(architecture, manager, train, test, 1);
                double curve = curveEpochSeconds(architecture, manager, train);
                double epoch = train.size() / samples;
                System.out.printf("round %d: train %.0f samples/s (%.1f GFLOP/s effective), matmul %.1f GFLOP/s, "
                        + "training at %.0f%% of matmul; epoch %.2f s, curve epoch %.2f s (%.2fx)%n", round, samples,
                        samples * flopsPerSample / 1e9, matmul, 100 * samples * flopsPerSample / 1e9 / matmul, epoch,
                        curve, curve / epoch);
                json.line("round", round, "samplesPerSecond", samples, "effectiveGflops", samples * flopsPerSample
                        / 1e9, "matmulGflops", matmul, "epochSeconds", epoch, "curveEpochSeconds", curve,
                        "curveOverTraining", curve / epoch, "device", device.toString());
            }
        }
    }

    /** The device {@code valley.device} selects, announced with the engine and the threads. */
    static Device device() {
        Device device = Devices.select(System.getProperty("valley.device", "auto"));
        System.out.printf("engine %s %s, device %s, %d threads%n", Engine.getInstance().getEngineName(),
                Engine.getInstance().getVersion(), device, Runtime.getRuntime().availableProcessors());
        return device;
    }

    private static double trainSamplesPerSecond(Architecture architecture,
            NDManager manager, DeviceData train, DeviceData test, int epochs) {
        try (Weights weights = architecture.initialize(manager, 1)) {
            Trainer.Outcome outcome = Trainer.train(weights, train, test,
                    new Trainer.Config(epochs, 128, 0.05, 0.9, 1e-4, 1), TrainingListener.NONE);
            return (double) outcome.steps() * 128 / outcome.seconds();
        }
    }

    private static double curveEpochSeconds(Architecture architecture, NDManager manager, DeviceData train) {
        try (Weights a = architecture.initialize(manager, 1);
                Weights b = architecture.initialize(manager, 2);
                Curve curve = Curve.between(CurveKind.BEZIER, 3, a, b, true, 1, manager)) {
            return CurveTrainer.train(curve, train, new CurveTrainer.Config(1, 128, 0.05, 0.9, 1e-4, 1),
                    TrainingListener.NONE, e -> { }).seconds();
        }
    }

    static double matmulGflops(NDManager parent, int repeats) {
        try (NDManager manager = parent.newSubManager()) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(N, N));
            NDArray b = manager.randomUniform(-1, 1, new Shape(N, N));
            a.matMul(b).close();
            long start = System.nanoTime();
            float sink = 0;
            for (int i = 0; i < repeats; i++) {
                try (NDArray c = a.matMul(b)) {
                    sink += c.getFloat(0, 0);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (Float.isNaN(sink)) {
                System.out.println();
            }
            return 2.0 * N * N * N * repeats / seconds / 1e9;
        }
    }
}
