package dev.valley.worker.science;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.valley.model.job.CurveResult;
import dev.valley.model.job.CurveSpec;
import dev.valley.model.job.FgeSpec;
import dev.valley.model.job.ModelRef;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.SwaSpec;
import dev.valley.model.job.TrainResult.EpochRecord;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.average.FgeRun;
import dev.valley.worker.science.average.SwaRun;
import dev.valley.worker.science.curve.CurveRun;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.train.Checkpoint;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.TrainingRun;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Every job that trains resumes from the checkpoint an interrupted attempt left and ends exactly where the run that
 * was never interrupted ended (the second method here): same bytes in its artifacts, same figures per epoch. Each
 * checks something the resume must bring back that a fresh start would not have: momentum, the epoch's
 * permutation, a curve's random t per step, SWA's average and its step counter, FGE's
 * snapshots and ensemble. On one thread, libtorch's CPU kernels are deterministic.
 */
class ResumeScienceTest {
    private final Device cpu = Device.cpu();
    private final DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR);

    /** Keeps the checkpoints a run offers, by "{phase} {epoch}" (phase "-" for a job of one phase). */
    private static final class Checkpoints implements TrainingListener {
        final Map<String, byte[]> taken = new HashMap<>();

        @Override
        public void onCheckpoint(int epoch, Supplier<Checkpoint> state) {
            Checkpoint.Restored c = Checkpoint.read(state.get().bytes());
            String phase = c.meta("phase") == null ? "-" : c.meta("phase");
            taken.put(phase + " " + epoch, state.get().bytes());
        }
    }

    @Test
    void aCurveFitResumedMidwayEndsAsTheUninterruptedFitDid() {
        // vgg has batch norm, so the checkpoint holds the fit's running statistics too. (They change no output:
        // training normalises by each batch, and every point along the curve has its statistics recomputed.)
        ModelSpec model = new ModelSpec("vgg", null, List.of(4));
        byte[] start = endpoint(model, 1L);
        byte[] end = endpoint(model, 2L);
        CurveSpec spec = new CurveSpec(List.of(new ModelRef(UUID.randomUUID(), null),
                new ModelRef(UUID.randomUUID(), null)), "bezier", 3, 4, 64, 0.05, 0.9, 1e-4, 9L, "fashion-mnist", 500,
                5, false, 3, "epochs").withDefaults();
        CurveRun run = new CurveRun(catalog);
        Checkpoints checkpoints = new Checkpoints();
        CurveRun.Output whole = run.run(spec, model, start, end, cpu, checkpoints);
        byte[] afterSecond = checkpoints.taken.get("- 2");
        assertThat(Checkpoint.read(afterSecond).part("running").tensors()).isNotEmpty();

        CurveRun.Output resumed = run.run(spec, model, start, end, cpu, new Checkpoints(),
                Checkpoint.read(afterSecond));

        assertThat(resumed.safetensors()).isEqualTo(whole.safetensors());
        // The snapshots of epochs 0 to 2 came from the checkpoint, the rest from the resumed fit.
        byte[] history = whole.files().get(CurveSpec.HISTORY_ARTIFACT);
        assertThat(SafeTensors.read(history).metadata().get("epochs")).isEqualTo("0,1,2,3,4");
        assertThat(resumed.files().get(CurveSpec.HISTORY_ARTIFACT)).isEqualTo(history);
        // (curve.npz is a zip with the time of writing in it: its figures are compared as the result's.)
        assertThat(resumed.result().history()).extracting(CurveResult.Epoch::trainLoss)
                .containsExactlyElementsOf(whole.result().history().stream().map(CurveResult.Epoch::trainLoss)
                        .toList());
        assertThat(resumed.result().curvePath()).isEqualTo(whole.result().curvePath());
        assertThat(resumed.result().line()).isEqualTo(whole.result().line());
        assertThat(resumed.result().ensembles()).isEqualTo(whole.result().ensembles());
    }

    @Test
    void swaResumedInEitherRunEndsAsTheUninterruptedJobDid() {
        // Averaging every 7 steps of the SWA run once it is past epoch 2; an epoch is ⌈3000 / 64⌉ = 47 steps, so a
        // resumed run that lost count of its steps would average other iterates.
        SwaSpec spec = new SwaSpec("spirals", new ModelSpec("mlp", List.of(16, 16), null), null, 5, 2, 64, 0.1,
                0.03, "cosine", 1, 7, "steps", null, 0.9, 1e-4, 4L, null).withDefaults();
        SwaRun run = new SwaRun(catalog);
        Checkpoints checkpoints = new Checkpoints();
        SwaRun.Output whole = run.run(spec, null, "seed 4", cpu, checkpoints);
        // Steps 95 to 235 are epochs 3 to 5; the multiples of 7 among them are 98, 105, …, 231.
        assertThat(whole.result().averaged()).isEqualTo((231 - 98) / 7 + 1);

        for (String at : List.of("baseline 3", "swa 4")) {
            SwaRun.Output resumed = run.run(spec, null, "seed 4", cpu, TrainingListener.NONE,
                    Checkpoint.read(checkpoints.taken.get(at)));
            assertThat(resumed.sgd()).as("sgd.safetensors resumed from %s", at).isEqualTo(whole.sgd());
            assertThat(resumed.swa()).as("swa.safetensors resumed from %s", at).isEqualTo(whole.swa());
            assertThat(resumed.result().averaged()).isEqualTo(whole.result().averaged());
            assertThat(resumed.result().sgdHistory()).extracting(EpochRecord::trainLoss)
                    .containsExactlyElementsOf(whole.result().sgdHistory().stream().map(EpochRecord::trainLoss)
                            .toList());
            assertThat(resumed.result().swaHistory()).hasSize(5);
            for (int i = 0; i < 5; i++) {
                var a = resumed.result().swaHistory().get(i);
                var b = whole.result().swaHistory().get(i);
                assertThat(List.of(a.iterateTestLoss(), String.valueOf(a.averageTestLoss()), a.averaged()))
                        .as("SWA epoch %d resumed from %s", i + 1, at)
                        .isEqualTo(List.of(b.iterateTestLoss(), String.valueOf(b.averageTestLoss()), b.averaged()));
            }
            assertThat(resumed.result().swa()).isEqualTo(whole.result().swa());
        }
    }

    @Test
    void fgeResumedBetweenSnapshotsEndsAsTheUninterruptedJobDid() {
        ModelSpec model = new ModelSpec("vgg", null, List.of(4));
        byte[] start = endpoint(model, 3L);
        FgeSpec spec = new FgeSpec(new ModelRef(UUID.randomUUID(), null), "fashion-mnist", model, 8, 4, 64, 0.05,
                0.0005, 0.9, 1e-4, 5L, 500).withDefaults();
        FgeRun run = new FgeRun(catalog);
        Checkpoints checkpoints = new Checkpoints();
        FgeRun.Output whole = run.run(spec, start, cpu, checkpoints);
        // After epoch 4 one snapshot (epoch 2) is taken and the second (epoch 6) is not.
        byte[] afterFourth = checkpoints.taken.get("- 4");
        assertThat(Checkpoint.read(afterFourth).meta("snapshots")).isEqualTo("1");

        FgeRun.Output resumed = run.run(spec, start, cpu, TrainingListener.NONE, Checkpoint.read(afterFourth));

        assertThat(resumed.snapshots()).isEqualTo(whole.snapshots());
        assertThat(resumed.result().snapshots()).isEqualTo(whole.result().snapshots());
        assertThat(resumed.result().startTestAccuracy()).isEqualTo(whole.result().startTestAccuracy());
        assertThat(SafeTensors.read(resumed.snapshots()).metadata()).containsEntry("snapshots", "2");
    }

    @Test
    void aTrainingsTrajectoryResumedMidwayKeepsTheSameNetworks() {
        ModelSpec model = new ModelSpec("mlp", List.of(16), null);
        TrainSpec spec = new TrainSpec("fashion-mnist", model, 6, 64, 0.05, 0.9, 0.0, 7L, 500, null, null, 2)
                .withDefaults();
        TrainingRun run = new TrainingRun(catalog);
        Checkpoints checkpoints = new Checkpoints();
        TrainingRun.Output whole = run.run(spec, cpu, checkpoints);
        // After epoch 3 the start and epoch 2 are kept; 4 and 6 are not yet.
        byte[] afterThird = checkpoints.taken.get("- 3");
        assertThat(Checkpoint.read(afterThird).meta("trajectoryEpochs")).isEqualTo("0,2");

        TrainingRun.Output resumed = run.run(spec, cpu, TrainingListener.NONE, Checkpoint.read(afterThird));

        byte[] kept = whole.files().get("trajectory.safetensors");
        assertThat(SafeTensors.read(kept).metadata()).containsEntry("epochs", "0,2,4,6");
        assertThat(resumed.files().get("trajectory.safetensors")).isEqualTo(kept);
        assertThat(resumed.safetensors()).isEqualTo(whole.safetensors());
    }

    private byte[] endpoint(ModelSpec model, long seed) {
        return new TrainingRun(catalog).run(new TrainSpec("fashion-mnist", model, 1, 64, 0.05, 0.9, 0.0, seed, 500),
                cpu, TrainingListener.NONE).safetensors();
    }
}
