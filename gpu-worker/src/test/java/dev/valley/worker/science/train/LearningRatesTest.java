package dev.valley.worker.science.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The reference's schedule, by hand: dnn-mode-connectivity's train.py calls learning_rate_schedule(lr, epoch, epochs)
 * for epoch = 1 … epochs, so over 10 epochs α = 0.1 … 1.0 and the factors are 1 while α ≤ 0.5, then
 * 1 − (α − 0.5) / 0.4 · 0.99 up to α = 0.9 (0.7525, 0.505, 0.2575, 0.01), then 0.01.
 */
class LearningRatesTest {
    private static final double[] TEN_EPOCHS = {1, 1, 1, 1, 1, 0.7525, 0.505, 0.2575, 0.01, 0.01};

    @Test
    void theCurveScheduleCountsEpochsFromOneAsTheReferenceDoes() {
        for (int epoch = 1; epoch <= 10; epoch++) {
            assertThat(LearningRates.halfFlatThenLinear(0.2, epoch, 10)).as("epoch %d", epoch)
                    .isCloseTo(0.2 * TEN_EPOCHS[epoch - 1], within(1e-12));
        }
        // As a Schedule (epochs from 0), a train spec's "decay" and SWA's baseline: the same rates, every step.
        LearningRates.Schedule decay = LearningRates.named("decay", 0.2, 10);
        for (int epoch = 0; epoch < 10; epoch++) {
            assertThat(decay.at(epoch, 0)).isCloseTo(0.2 * TEN_EPOCHS[epoch], within(1e-12));
            assertThat(decay.at(epoch, 0.99)).isEqualTo(decay.at(epoch, 0));
        }
    }
}
