package dev.valley.worker.science.average;

import static dev.valley.model.Json.JSON;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.Diversity;
import dev.valley.model.job.SwaResult;
import dev.valley.model.job.SwaSpec;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.diversity.DiversityFiles;
import dev.valley.worker.science.diversity.FunctionalDiversity;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.plot.LineChart;
import dev.valley.worker.science.train.BatchNormStatistics;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.Evaluator;
import dev.valley.worker.science.train.LearningRates;
import dev.valley.worker.science.train.Metrics;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Progress;
import dev.valley.worker.science.train.Trainer;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.Workspace;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An swa spec, start to end: the SGD baseline, then the SWA run from the same start with its running average,
 * the average's batch-norm statistics recomputed, and the four artifacts.
 */
public final class SwaRun {
    /** The two runs, as checkpoints name them: the SGD baseline, then the run that averages. */
    private static final String SGD_PHASE = "baseline";
    private static final String SWA_PHASE = "swa";
    private final DatasetCatalog datasets;

    public SwaRun(DatasetCatalog datasets) {
        this.datasets = datasets;
    }

    /** {@code diversity}: the SWA iterates' diversity artifacts by name (none with fewer than two). */
    public record Output(SwaResult result, byte[] swa, byte[] sgd, byte[] json, byte[] png,
            Map<String, byte[]> diversity) {
    }

    /** The SWA run's iterates whose diversity is measured: the last this many epochs' after swaStart. */
    public static final int DIVERSITY_ITERATES = 20;

    /** {@code startBytes} null trains from the spec's seed. {@code listener} sees both runs as one: done in [0, 1]. */
    public Output run(SwaSpec spec, byte[] startBytes, String startedFrom, Device device, TrainingListener listener) {
        return run(spec, startBytes, startedFrom, device, listener, null);
    }

    /** Whether the average is scored after {@code epoch}: every {@code evaluateEvery} epochs after swaStart, and at
     * the last (the reference's eval_freq); each score costs a forward pass over the training set with batch norm. */
    public static boolean scoresAverage(int epoch, int swaStart, int epochs, int evaluateEvery) {
        return epoch > swaStart && ((epoch - swaStart) % evaluateEvery == 0 || epoch == epochs);
    }

    /** The job's epochs: the baseline's, then as many again for the SWA run. */
    public static int epochs(SwaSpec spec) {
        return 2 * spec.epochs();
    }

    /** Epochs of the whole job (the baseline's, then the SWA run's) that {@code checkpoint} holds. */
    public static int epochsDone(SwaSpec spec, Checkpoint.Restored checkpoint) {
        return SWA_PHASE.equals(checkpoint.required("phase")) ? spec.epochs() + checkpoint.epoch()
                : checkpoint.epoch();
    }

    /**
     * {@code checkpoint}: the state an earlier attempt of the same job stored (null: start afresh). One from the
     * baseline goes on with the baseline; one from the SWA run restores the finished baseline, the SWA iterate, its
     * momentum and its average, and goes on with the SWA run.
     */
    public Output run(SwaSpec spec, byte[] startBytes, String startedFrom, Device device, TrainingListener listener,
            Checkpoint.Restored restored) {
        long began = System.nanoTime();
        Progress job = Progress.of(listener);
        boolean inSwa = restored != null && SWA_PHASE.equals(restored.required("phase"));
        try (Workspace ws = Workspace.open(datasets, spec.dataset(), spec.seed(), spec.trainSubset(), spec.model(),
                device);
                Weights start = Networks.start(ws.architecture(), ws.manager(), startBytes, spec.seed());
                NoGrad noGrad = NoGrad.enter();
                Weights sgd = start.copy(ws.manager(), true);
                Weights swa = start.copy(ws.manager(), true);
                WeightAverage average = new WeightAverage(ws.manager());
                Iterates iterates = new Iterates(ws.manager())) {
            Runs runs = new Runs(spec, ws, sgd, swa, average, iterates);
            List<EpochRecord> baseline = inSwa ? runs.restoreBaseline(restored)
                    : runs.baseline(job.slice(0, 0.5, SGD_PHASE), restored);
            List<SwaResult.SwaEpoch> swaHistory = runs.averaging(job.slice(0.5, 0.5, SWA_PHASE), baseline,
                    inSwa ? restored : null);
            return runs.output(start, baseline, swaHistory, startedFrom, device, began);
        }
    }

    /** The two runs of one job, on its workspace: the networks they train and the average the second keeps. */
    private record Runs(SwaSpec spec, Workspace ws, Weights sgd, Weights swa, WeightAverage average,
            Iterates iterates) {

        /** The SGD baseline on the curve schedule, from the start or from its own checkpoint. */
        List<EpochRecord> baseline(Progress part, Checkpoint.Restored restored) {
            return Trainer.train(sgd, ws.train(), ws.test(), new Trainer.Config(spec.epochs(), spec.batchSize(),
                    spec.lr(), spec.momentum(), spec.weightDecay(), spec.seed(),
                    LearningRates.decay(spec.lr(), spec.epochs())), part,
                    restored == null ? null : new Trainer.Resume(restored)).history();
        }

        /** The finished baseline, as an SWA-run checkpoint keeps it. */
        List<EpochRecord> restoreBaseline(Checkpoint.Restored restored) {
            try (NoGrad restoring = NoGrad.enter()) {
                restored.copyInto(SGD_PHASE, sgd.tensors());
            }
            return List.of(JSON.readValue(restored.required("baselineHistory"), EpochRecord[].class));
        }

        /**
         * SGD from the start again at SWALR's rate, adding the iterate to the average every {@code averageEvery}
         * epochs or steps after {@code swaStart}, and scoring the average after each epoch; from {@code restored}, an
         * SWA-run checkpoint, when one is given.
         */
        List<SwaResult.SwaEpoch> averaging(Progress part, List<EpochRecord> baseline, Checkpoint.Restored restored) {
            DeviceData train = ws.train();
            boolean cosine = "cosine".equals(spec.anneal());
            boolean bySteps = "steps".equals(spec.averageUnit());
            List<SwaResult.SwaEpoch> history = new ArrayList<>();
            long[] steps = {0};
            if (restored != null) {
                history.addAll(List.of(JSON.readValue(restored.required("swaHistory"), SwaResult.SwaEpoch[].class)));
                average.restore(restored.arrays("average", ws.manager()),
                        Integer.parseInt(restored.required("averaged")));
                iterates.restore(restored);
                steps[0] = (long) restored.epoch() * ((train.size() + spec.batchSize() - 1) / spec.batchSize());
            }
            Trainer.train(swa, train, ws.test(), new Trainer.Config(spec.epochs(), spec.batchSize(), spec.lr(),
                    spec.momentum(), spec.weightDecay(), spec.seed(), (epoch, fraction) -> LearningRates.swa(
                            spec.lr(), spec.swaLr(), spec.swaStart(), cosine, spec.annealEpochs(), epoch)),
                    new TrainingListener.Forwarding(part) {
                        @Override
                        public void onStep(int epoch, int step, double done) {
                            steps[0]++;
                            if (bySteps && epoch > spec.swaStart() && steps[0] % spec.averageEvery() == 0) {
                                average.add(swa);
                            }
                            super.onStep(epoch, step, done);
                        }

                        @Override
                        public void onEpoch(EpochRecord r) {
                            if (!bySteps && r.epoch() > spec.swaStart()
                                    && (r.epoch() - spec.swaStart()) % spec.averageEvery() == 0) {
                                average.add(swa);
                            }
                            Metrics averaged = scoresAverage(r.epoch())
                                    ? evaluateAverage(average, swa, train, ws.test(), spec.batchSize()) : null;
                            history.add(new SwaResult.SwaEpoch(r.epoch(), LearningRates.swa(spec.lr(),
                                    spec.swaLr(), spec.swaStart(), cosine, spec.annealEpochs(), r.epoch() - 1),
                                    r.trainLoss(), r.testLoss(), r.testAccuracy(),
                                    averaged == null ? null : averaged.loss(),
                                    averaged == null ? null : averaged.reportedAccuracy(), average.count(),
                                    r.seconds()));
                            super.onEpoch(r);
                        }

                        @Override
                        public NDManager keepTestProbabilities(int epoch) {
                            return epoch > spec.swaStart() ? iterates.kept : super.keepTestProbabilities(epoch);
                        }

                        @Override
                        public void onTestProbabilities(int epoch, NDArray probabilities) {
                            if (epoch > spec.swaStart()) {
                                iterates.take(epoch, probabilities);
                            } else {
                                super.onTestProbabilities(epoch, probabilities);
                            }
                        }

                        @Override
                        public void onCheckpoint(int epoch, java.util.function.Supplier<Checkpoint> state) {
                            super.onCheckpoint(epoch, () -> iterates.into(state.get()).put("average",
                                    average.tensors())
                                    .meta("averaged", Integer.toString(average.count()))
                                    .put(SGD_PHASE, sgd.tensors())
                                    .meta("baselineHistory", JSON.writeValueAsString(baseline))
                                    .meta("swaHistory", JSON.writeValueAsString(history)));
                        }
                    }, restored == null ? null : new Trainer.Resume(restored));
            if (average.count() == 0) {
                throw new IllegalArgumentException("the SWA phase ended before the first average: averageEvery "
                        + spec.averageEvery() + " " + spec.averageUnit() + " is longer than it");
            }
            return history;
        }

        boolean scoresAverage(int epoch) {
            return SwaRun.scoresAverage(epoch, spec.swaStart(), spec.epochs(), spec.evaluateEvery());
        }

        /** The average with its batch-norm statistics recomputed, scored beside the baseline and the iterate. */
        Output output(Weights start, List<EpochRecord> baseline, List<SwaResult.SwaEpoch> history,
                String startedFrom, Device device, long began) {
            DeviceData train = ws.train();
            DeviceData test = ws.test();
            try (NDManager scope = ws.manager().newSubManager()) {
                Weights averaged = average.weights(swa, scope);
                boolean recomputed = BatchNormStatistics.recompute(averaged, train, spec.batchSize());
                Diversity diversity = iterates.diversity(test);
                SwaResult result = new SwaResult(Networks.scores(sgd, train, test),
                        Networks.scores(averaged, train, test), Networks.scores(swa, train, test), average.count(),
                        recomputed, startedFrom, baseline, history, device.toString(),
                        (System.nanoTime() - began) / 1e9, start.parameterCount(), train.size(), test.size(),
                        diversity);
                Map<String, String> metadata = ws.metadata("valley/model-v1", spec);
                Map<String, String> swaMetadata = new LinkedHashMap<>(metadata);
                swaMetadata.put("averaged", Integer.toString(average.count()));
                swaMetadata.put("batchNormRecomputed", Boolean.toString(recomputed));
                return new Output(result, SafeTensors.write(averaged.tensors(), swaMetadata),
                        SafeTensors.write(sgd.tensors(), metadata), JSON.writeValueAsBytes(result), png(result),
                        diversity == null ? Map.of() : DiversityFiles.of(diversity));
            }
        }
    }

    /**
     * The test probabilities of the SWA run's iterates after swaStart, the last {@link #DIVERSITY_ITERATES} of
     * them, by epoch; a checkpoint carries them, so a resumed run measures the same.
     */
    private static final class Iterates implements AutoCloseable {
        private final NDManager kept;
        private final java.util.TreeMap<Integer, NDArray> byEpoch = new java.util.TreeMap<>();

        Iterates(NDManager parent) {
            this.kept = parent.newSubManager();
        }

        /** {@code probabilities}: the iterate's test outputs after {@code epoch}, in {@link #kept}; the training
         * loop's own evaluation makes them ({@link TrainingListener#keepTestProbabilities}). */
        void take(int epoch, NDArray probabilities) {
            byEpoch.put(epoch, probabilities);
            while (byEpoch.size() > DIVERSITY_ITERATES) {
                byEpoch.pollFirstEntry().getValue().close();
            }
        }

        Checkpoint into(Checkpoint taken) {
            Map<String, NDArray> named = new LinkedHashMap<>();
            byEpoch.forEach((epoch, p) -> named.put(Integer.toString(epoch), p));
            return named.isEmpty() ? taken : taken.put("iterates", named);
        }

        void restore(Checkpoint.Restored restored) {
            restored.arrays("iterates", kept).forEach((epoch, p) -> byEpoch.put(Integer.parseInt(epoch), p));
        }

        /** Null with fewer than two. */
        Diversity diversity(DeviceData test) {
            if (byEpoch.size() < 2) {
                return null;
            }
            return FunctionalDiversity.of(byEpoch.keySet().stream().map(e -> "epoch " + e).toList(),
                    List.copyOf(byEpoch.values()), test);
        }

        @Override
        public void close() {
            kept.close();
        }
    }

    /** The average's test metrics with its batch-norm statistics recomputed; null before the first average. */
    private static Metrics evaluateAverage(WeightAverage average, Weights like, DeviceData train, DeviceData test,
            int batchSize) {
        try (NDManager scope = like.manager().newSubManager()) {
            Weights averaged = average.weights(like, scope);
            if (averaged == null) {
                return null;
            }
            BatchNormStatistics.recompute(averaged, train, batchSize);
            return Evaluator.evaluate(averaged, test);
        }
    }

    private static byte[] png(SwaResult r) {
        double[] sgdEpochs = r.sgdHistory().stream().mapToDouble(EpochRecord::epoch).toArray();
        double[] swaEpochs = r.swaHistory().stream().mapToDouble(SwaResult.SwaEpoch::epoch).toArray();
        List<SwaResult.SwaEpoch> averaged = r.swaHistory().stream().filter(e -> e.averageTestLoss() != null).toList();
        double[] avgEpochs = averaged.stream().mapToDouble(SwaResult.SwaEpoch::epoch).toArray();
        boolean regression = r.swa().testAccuracy() == null;
        LineChart.Panel loss = new LineChart.Panel("Test loss", "epoch", Metrics.lossName(regression), List.of(
                new LineChart.Series("SGD (baseline)", sgdEpochs,
                        r.sgdHistory().stream().mapToDouble(EpochRecord::testLoss).toArray(), 0, false),
                new LineChart.Series("SWA run, iterate", swaEpochs,
                        r.swaHistory().stream().mapToDouble(SwaResult.SwaEpoch::iterateTestLoss).toArray(), 1, true),
                new LineChart.Series("SWA average", avgEpochs,
                        averaged.stream().mapToDouble(SwaResult.SwaEpoch::averageTestLoss).toArray(), 1, false)));
        if (regression) {
            return LineChart.png(List.of(loss));
        }
        LineChart.Panel accuracy = new LineChart.Panel("Test accuracy", "epoch", "accuracy", List.of(
                new LineChart.Series("SGD (baseline)", sgdEpochs,
                        r.sgdHistory().stream().mapToDouble(EpochRecord::testAccuracy).toArray(), 0, false),
                new LineChart.Series("SWA run, iterate", swaEpochs,
                        r.swaHistory().stream().mapToDouble(SwaResult.SwaEpoch::iterateTestAccuracy).toArray(), 1, true),
                new LineChart.Series("SWA average", avgEpochs,
                        averaged.stream().mapToDouble(SwaResult.SwaEpoch::averageTestAccuracy).toArray(), 1, false)));
        return LineChart.png(List.of(accuracy, loss));
    }
}
