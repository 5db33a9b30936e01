package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.model.job.Precision;
import dev.valley.model.job.SwaSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.Devices;
import dev.valley.worker.science.average.SwaRun;
import dev.valley.worker.science.average.WeightAverage;
import dev.valley.worker.science.curve.Curve;
import dev.valley.worker.science.curve.CurveKind;
import dev.valley.worker.science.curve.CurveTrainer;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.LearningRates;
import dev.valley.worker.science.train.Trainer;
import dev.valley.worker.science.train.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training throughput, in one run, interleaved in rounds because these machines are shared and noisy. Each case
 * ({@link BenchCase}: a network on its data) trains one epoch per round as a job does: the steps, the test
 * evaluation after the epoch, a checkpoint (weights and momentum, written to a file as the upload would read it) and
 * the progress events ({@link JobPathListener}). Beside it, float32 2048² matmul GFLOP/s and, with {@code --pytorch},
 * the same epoch in PyTorch ({@link PyTorchSide}), in the same round, the order alternating between rounds.
 * With {@code --overheads}, a 3-bend Bezier curve epoch between two such networks and an SWA epoch's extra work (the
 * average's update, its batch-norm statistics recomputed, its test evaluation) against the training epoch.
 * <pre>
 * ./valley bench [rounds] [--arch mlp,vgg,preresnet20,preresnet20-plain,...|all] [--samples N] [--pytorch]
 *                [--overheads] [--precision bf16] [--json]
 * </pre>
 * Without {@code --arch}: the 784-512-512-10 MLP on Fashion-MNIST, with the overheads.
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

    /** {@code precision}: Valley's training steps' ({@link dev.valley.worker.science.model.Autocast}); PyTorch's side
     * stays float32. */
    private record Options(int rounds, List<BenchCase> cases, Integer samples, boolean pytorch, boolean overheads,
            String precision) {
        static Options parse(String[] args) {
            int rounds = 3;
            String precision = Precision.FP32;
            List<BenchCase> cases = null;
            Integer samples = null;
            boolean pytorch = false;
            boolean overheads = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--arch" -> cases = BenchCase.named(args[++i]);
                    case "--samples" -> samples = Integer.parseInt(args[++i]);
                    case "--pytorch" -> pytorch = true;
                    case "--overheads" -> overheads = true;
                    case "--precision" -> precision = args[++i];
                    default -> rounds = Integer.parseInt(args[i]);
                }
            }
            return cases == null ? new Options(rounds, BenchCase.named("mlp"), samples, pytorch, true, precision)
                    : new Options(rounds, cases, samples, pytorch, overheads, precision);
        }
    }

    private static void measure(String[] all) {
        BenchJson json = BenchJson.of("training", all);
        Options options = Options.parse(BenchJson.withoutFlag(all));
        Device device = device();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            double matmul = matmulGflops(manager, 5);
            System.out.printf("matmul %.1f GFLOP/s%n", matmul);
            json.line("matmulGflops", matmul, "device", device.toString());
            for (BenchCase c : options.cases()) {
                measure(c.withSizes(options.samples(), null), options, manager, device, json);
            }
        }
    }

    private static void measure(BenchCase c, Options options, NDManager manager, Device device, BenchJson json) {
        try (NDManager scope = manager.newSubManager();
                BenchCase.Data data = c.load(scope);
                // PyTorch evaluates in the batches Valley chooses (EvaluationBatch), so that the epochs compare.
                PyTorchSide torch = options.pytorch() ? PyTorchSide.start(c.pytorchSpec(device,
                        Evaluator.batchFor(data.architecture(), data.test(), device))) : null) {
            Architecture architecture = data.architecture();
            System.out.printf("%n%s: %d training and %d test examples, batch %d, SGD lr 0.05 momentum 0.9 weight decay"
                    + " 1e-4, Valley in %s%s%n", c.label(), data.train().size(), data.test().size(), BenchCase.BATCH,
                    options.precision(),
                    torch == null ? "" : String.format("; PyTorch %s (its matmul %.1f GFLOP/s)", torch.version(),
                            torch.matmulGflops()));
            // Warm-up: the JIT and libtorch's first calls.
            epoch(architecture, scope, data, options.precision());
            if (options.overheads()) {
                curveEpochSeconds(architecture, scope, data.train());
                swaExtraSeconds(architecture, scope, data);
            }
            for (int round = 1; round <= options.rounds(); round++) {
                JobPathListener.Epoch valley;
                PyTorchSide.Epoch reference = null;
                if (torch != null && round % 2 == 0) {
                    reference = torch.epoch();
                    valley = epoch(architecture, scope, data, options.precision());
                } else {
                    valley = epoch(architecture, scope, data, options.precision());
                    reference = torch == null ? null : torch.epoch();
                }
                double matmul = matmulGflops(scope, 5);
                int n = data.train().size();
                System.out.printf("round %d: Valley %.0f samples/s in steps, %.0f per epoch as a job sees it (steps %.2f"
                        + " s, evaluation %.2f s, checkpoint %.3f s)", round, n / valley.steps(), n / valley.total(),
                        valley.steps(), valley.evaluation(), valley.checkpoint());
                if (c.flopsPerSample() > 0) {
                    System.out.printf(", %.0f%% of matmul %.1f GFLOP/s", 100 * n / valley.steps() * c.flopsPerSample()
                            / 1e9 / matmul, matmul);
                }
                System.out.println();
                List<Object> fields = new ArrayList<>(Arrays.asList("case", c.label(), "round", round,
                        "trainExamples", n, "samplesPerSecond", n / valley.steps(), "epochSamplesPerSecond",
                        n / valley.total(), "stepsSeconds", valley.steps(), "evaluationSeconds", valley.evaluation(),
                        "checkpointSeconds", valley.checkpoint(), "matmulGflops", matmul, "device",
                        device.toString(), "precision", options.precision()));
                if (reference != null) {
                    System.out.printf("         PyTorch %.0f samples/s in steps, %.0f per epoch (steps %.2f s, "
                            + "evaluation %.2f s, checkpoint %.3f s); Valley/PyTorch %.2fx in steps, %.2fx per epoch%n",
                            n / reference.steps(), n / reference.total(), reference.steps(), reference.evaluation(),
                            reference.checkpoint(), reference.steps() / valley.steps(),
                            reference.total() / valley.total());
                    fields.addAll(List.of("pytorchSamplesPerSecond", n / reference.steps(),
                            "pytorchEpochSamplesPerSecond", n / reference.total(), "pytorchVersion", torch.version(),
                            "ratioSteps", reference.steps() / valley.steps(), "ratioEpoch",
                            reference.total() / valley.total()));
                }
                if (options.overheads()) {
                    double curve = curveEpochSeconds(architecture, scope, data.train());
                    SwaExtra swa = swaExtraSeconds(architecture, scope, data);
                    double perEpoch = swa.update() + swa.score();
                    double everyEpoch = swa.perJob(1) / (2 * SWA_EPOCHS * valley.steps());
                    double everyFifth = swa.perJob(5) / (2 * SWA_EPOCHS * valley.steps());
                    System.out.printf("         curve epoch %.2f s (%.2fx the training steps); SWA's extra work per"
                            + " averaged epoch %.2f s (%.1f%% of its steps: update %.3f s, score %.2f s); per job at"
                            + " the defaults %.1f%% of its training, %.1f%% with evaluateEvery 5%n", curve,
                            curve / valley.steps(), perEpoch, 100 * perEpoch / valley.steps(), swa.update(),
                            swa.score(), 100 * everyEpoch, 100 * everyFifth);
                    fields.addAll(List.of("curveEpochSeconds", curve, "curveOverTraining", curve / valley.steps(),
                            "swaExtraSeconds", perEpoch, "swaExtraOverTraining", perEpoch / valley.steps(),
                            "swaJobExtraOverTraining", everyEpoch, "swaJobExtraOverTrainingEvaluateEvery5",
                            everyFifth));
                }
                json.line(fields.toArray());
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

    private static JobPathListener.Epoch epoch(Architecture architecture, NDManager manager, BenchCase.Data data,
            String precision) {
        JobPathListener listener = new JobPathListener();
        try (Weights weights = architecture.initialize(manager, 1)) {
            long start = System.nanoTime();
            Trainer.Outcome outcome = Trainer.train(weights, data.train(), data.test(),
                    new Trainer.Config(1, BenchCase.BATCH, 0.05, 0.9, 1e-4, 1, LearningRates.Schedule.constant(0.05),
                            precision), listener);
            return listener.epoch(outcome.seconds(), (System.nanoTime() - start) / 1e9);
        }
    }

    private static double curveEpochSeconds(Architecture architecture, NDManager manager, DeviceData train) {
        try (Weights a = architecture.initialize(manager, 1);
                Weights b = architecture.initialize(manager, 2);
                Curve curve = Curve.between(CurveKind.BEZIER, 3, a, b, true, 1, manager)) {
            return CurveTrainer.train(curve, train, new CurveTrainer.Config(1, BenchCase.BATCH, 0.05, 0.9, 1e-4, 1),
                    TrainingListener.NONE, e -> { }).seconds();
        }
    }

    /** The SWA job's defaults that the per-job figure assumes: 20 epochs for each run, averaging after 15. */
    private static final int SWA_EPOCHS = SwaSpec.DEFAULT_EPOCHS;
    private static final int SWA_START = SWA_EPOCHS * 3 / 4;

    /**
     * What an SWA epoch adds to its training epoch (SwaRun's per-epoch work): {@code update}, the average's update;
     * {@code score}, the average with its batch-norm statistics recomputed over the training set and its test
     * evaluation. The iterate's own test outputs come from the training loop's evaluation, at no cost.
     */
    private record SwaExtra(double update, double score) {
        /** A job at the defaults: an update after each of the epochs after swaStart, a score every
         * {@code evaluateEvery} of them and at the last. */
        double perJob(int evaluateEvery) {
            int averaged = SWA_EPOCHS - SWA_START;
            int scored = 0;
            for (int e = SWA_START + 1; e <= SWA_EPOCHS; e++) {
                if (SwaRun.scoresAverage(e, SWA_START, SWA_EPOCHS, evaluateEvery)) {
                    scored++;
                }
            }
            return averaged * update + scored * score;
        }
    }

    private static SwaExtra swaExtraSeconds(Architecture architecture, NDManager manager, BenchCase.Data data) {
        try (NDManager scope = manager.newSubManager();
                Weights first = architecture.initialize(scope, 1);
                Weights second = architecture.initialize(scope, 2);
                WeightAverage average = new WeightAverage(scope)) {
            average.add(first);
            long start = System.nanoTime();
            average.add(second);
            long updated = System.nanoTime();
            try (NDManager view = scope.newSubManager()) {
                Weights averaged = average.weights(second, view);
                BatchNormStatistics.recompute(averaged, data.train(), BenchCase.BATCH);
                Evaluator.evaluate(averaged, data.test());
            }
            return new SwaExtra((updated - start) / 1e9, (System.nanoTime() - updated) / 1e9);
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
