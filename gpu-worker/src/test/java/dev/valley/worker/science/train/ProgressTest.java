package dev.valley.worker.science.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A part's progress in the job's terms, by hand: the SWA run is the second half; a fifth of the way into its half. */
class ProgressTest {

    @Test
    void aSliceOfASliceMapsItsProgressIntoTheJobsAndNamesItsCheckpoints() {
        List<Double> reported = new ArrayList<>();
        List<String> phases = new ArrayList<>();
        TrainingListener job = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, double done) {
                reported.add(done);
            }

            @Override
            public void onEvaluation(double done, String text) {
                reported.add(done);
            }

            @Override
            public void onCheckpoint(int epoch, Supplier<Checkpoint> state) {
                phases.add(Checkpoint.read(state.get().bytes()).meta("phase"));
            }
        };
        Progress swa = Progress.of(job).slice(0.5, 0.5, "swa");
        swa.onStep(1, 1, 0.0);
        swa.onStep(1, 2, 1.0);
        // Within the SWA half, the part from 0.2 to 0.7 of it: its middle is 0.5 + (0.2 + 0.5 · 0.5) · 0.5 = 0.725.
        swa.slice(0.2, 0.5).onEvaluation(0.5, "halfway");
        assertThat(reported).hasSize(3);
        assertThat(reported.get(0)).isCloseTo(0.5, within(1e-12));
        assertThat(reported.get(1)).isCloseTo(1.0, within(1e-12));
        assertThat(reported.get(2)).isCloseTo(0.725, within(1e-12));

        swa.onCheckpoint(3, () -> new Checkpoint(3));
        Progress.of(job).onCheckpoint(4, () -> new Checkpoint(4));
        assertThat(phases).containsExactly("swa", null);
        assertThat(Progress.of(swa)).isSameAs(swa);
    }
}
