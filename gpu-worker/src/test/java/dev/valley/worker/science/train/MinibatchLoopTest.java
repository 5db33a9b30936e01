package dev.valley.worker.science.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.Split;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop keeps the steps' losses on the device and reads them once per epoch: the epoch's mean must still be the
 * mean of what the steps returned, and a loss that stops being finite must still be named by its epoch and step,
 * even though the loop only sees it at the epoch's end.
 */
class MinibatchLoopTest {
    /** 10 examples in batches of 4: steps of 4, 4 and 2 examples, three per epoch. */
    private static Split tenExamples() {
        float[] x = new float[10];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) {
            x[i] = i;
            y[i] = i % 2;
        }
        return new Split(x, y, new long[] {1});
    }

    /** Step s of epoch e returns 10e + s: the means are known by hand. */
    private static float lossOf(int epoch, int step) {
        return 10f * epoch + step;
    }

    @Test
    void theEpochsMeanLossIsTheMeanOfWhatItsStepsReturned() {
        List<Double> means = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                DeviceData train = DeviceData.of(manager, tenExamples())) {
            MinibatchLoop.Outcome outcome = MinibatchLoop.run(train, 2, 4, 7, manager, TrainingListener.NONE,
                    (epoch, meanLoss, seconds) -> means.add(meanLoss),
                    (x, y, scope, epoch, step) -> scope.full(new Shape(), lossOf(epoch, step)));
            assertThat(outcome.steps()).isEqualTo(6);
        }
        // (11 + 12 + 13) / 3 and (21 + 22 + 23) / 3.
        assertThat(means).hasSize(2);
        assertThat(means.get(0)).isCloseTo(12.0, within(1e-6));
        assertThat(means.get(1)).isCloseTo(22.0, within(1e-6));
    }

    @Test
    void aLossThatIsNotFiniteIsNamedByItsEpochAndStepAndNoLaterEpochRuns() {
        List<Integer> ended = new ArrayList<>();
        int[] stepsTaken = {0};
        try (NDManager manager = NDManager.newBaseManager(Device.cpu());
                DeviceData train = DeviceData.of(manager, tenExamples())) {
            assertThatThrownBy(() -> MinibatchLoop.run(train, 3, 4, 7, manager, TrainingListener.NONE,
                    (epoch, meanLoss, seconds) -> ended.add(epoch),
                    (x, y, scope, epoch, step) -> {
                        stepsTaken[0]++;
                        // Epoch 2 goes to infinity at its second step, then to NaN: the first is the one named.
                        float loss = epoch == 2 && step == 2 ? Float.POSITIVE_INFINITY
                                : epoch == 2 && step == 3 ? Float.NaN : lossOf(epoch, step);
                        return scope.full(new Shape(), loss);
                    }))
                    .isInstanceOf(DivergedException.class)
                    .hasMessage("training diverged: loss Infinity at epoch 2, step 2");
        }
        assertThat(ended).containsExactly(1);
        assertThat(stepsTaken[0]).isEqualTo(6);
    }
}
