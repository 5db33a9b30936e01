package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.TorchScriptNetwork;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Trainer;
import dev.valley.worker.science.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Valley's built-in 784-512-512-10 MLP against the same network uploaded as TorchScript ({@code
 * tools/make_torchscript_fixtures.py --mlp PATH}: the same state_dict names), in one run, in interleaved rounds:
 * training samples/s (one epoch of Fashion-MNIST, batch 128, SGD with momentum) and forward-only samples/s (the
 * test split in eval mode, batches of {@link Evaluator#BATCH}). Both start from the same seed, which both draw by the
 * same rule in the same order, and take the same batches, so they must end with the same test accuracy: the run
 * prints both. Run with {@code ./valley bench torchscript ARCHIVE [rounds]}.
 */
public final class TorchScriptBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ./valley bench torchscript ARCHIVE [rounds]   (ARCHIVE: python3 "
                    + "tools/make_torchscript_fixtures.py --mlp ARCHIVE)");
            System.exit(2);
        }
        byte[] archive = Files.readAllBytes(Path.of(args[0]));
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                measure(archive, rounds);
                return null;
            });
        }
    }

    private static void measure(byte[] archive, int rounds) {
        Device device = TrainingBenchmark.device();
        DatasetSplits data = FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR);
        try (NDManager manager = NDManager.newBaseManager(device);
                DeviceData train = DeviceData.of(manager, data.train());
                DeviceData test = DeviceData.of(manager, data.test());
                // The trainer's evaluation after each epoch is kept out of its seconds; one example keeps it short.
                DeviceData one = DeviceData.of(manager, data.test().select(new int[] {0}));
                TorchScriptNetwork module = TorchScriptNetwork.load(archive, manager, Map.of())) {
            Architecture builtIn = Architectures.of(new ModelSpec("mlp", List.of(512, 512), null),
                    data.sampleShape(), 10);
            // Warm-up: the JIT and libtorch's first calls, and TorchScript's profiling runs.
            train(builtIn, manager, train, one, test);
            train(module, manager, train, one, test);
            for (int round = 1; round <= rounds; round++) {
                Run a = train(builtIn, manager, train, one, test);
                Run b = train(module, manager, train, one, test);
                double fa = forward(builtIn, manager, test);
                double fb = forward(module, manager, test);
                System.out.printf("round %d: train %.0f samples/s built-in, %.0f TorchScript (%.2fx); forward %.0f"
                        + " samples/s built-in, %.0f TorchScript (%.2fx); test accuracy %.4f and %.4f%n", round,
                        a.samplesPerSecond, b.samplesPerSecond, b.samplesPerSecond / a.samplesPerSecond, fa, fb,
                        fb / fa, a.accuracy, b.accuracy);
            }
        }
    }

    private record Run(double samplesPerSecond, double accuracy) {
    }

    private static Run train(Architecture architecture, NDManager manager, DeviceData train, DeviceData one,
            DeviceData test) {
        try (Weights weights = architecture.initialize(manager, 1)) {
            Trainer.Outcome outcome = Trainer.train(weights, train, one,
                    new Trainer.Config(1, 128, 0.05, 0.9, 1e-4, 1), TrainingListener.NONE);
            Metrics metrics = Evaluator.evaluate(weights, test);
            return new Run((double) outcome.steps() * 128 / outcome.seconds(), metrics.accuracy());
        }
    }

    /** Eval-mode passes over the test split, logits only, as an evaluation or a grid point runs them. */
    private static double forward(Architecture architecture, NDManager manager, DeviceData test) {
        try (Weights weights = architecture.initialize(manager, 2); NoGrad noGrad = NoGrad.enter()) {
            long start = System.nanoTime();
            for (int from = 0; from < test.size(); from += Evaluator.BATCH) {
                try (NDManager batch = manager.newSubManager()) {
                    architecture.forward(weights, test.x().get(batch, new NDIndex().addSliceDim(from,
                            Math.min(from + Evaluator.BATCH, test.size()))), Mode.EVAL).close();
                }
            }
            return test.size() / ((System.nanoTime() - start) / 1e9);
        }
    }
}
