package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;

/**
 * Train a network from a seed with SGD and momentum: a mode of the loss. Every field but {@code dataset} and
 * {@code model} has a default. {@code schedule}: {@code constant} at {@code lr}; {@code decay}, flat for half the
 * epochs then linear down to 1 % at 90 % (dnn-mode-connectivity's); {@code cosine}, from lr to 0 over the run,
 * per step.
 */
public record TrainSpec(
        @NotNull @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @NotNull @Valid ModelSpec model,
        @NotNull @Min(1) @Max(1000) Integer epochs,
        @Sgd.BatchSize Integer batchSize,
        @Sgd.Rate Double lr,
        @Sgd.Momentum Double momentum,
        @Sgd.WeightDecay Double weightDecay,
        @NotNull Long seed,
        @Positive Integer trainSubset,
        @Pattern(regexp = "constant|decay|cosine", message = "must be one of: constant, decay, cosine") String schedule)
        implements JobSpec {

    public static final int DEFAULT_EPOCHS = 10;
    public static final String CONSTANT = "constant";

    /** The spec as it was before {@code schedule}: a constant rate. */
    public TrainSpec(String dataset, ModelSpec model, Integer epochs, Integer batchSize, Double lr, Double momentum,
            Double weightDecay, Long seed, Integer trainSubset) {
        this(dataset, model, epochs, batchSize, lr, momentum, weightDecay, seed, trainSubset, null);
    }

    @AssertTrue(message = "needs image inputs; dataset spirals holds 2-D points")
    boolean isModelFitsDataset() {
        return model == null || !model.needsImages() || !Datasets.SPIRALS.equals(dataset);
    }

    @Override
    public TrainSpec withDefaults() {
        return new TrainSpec(
                dataset,
                model == null ? null : model.withDefaults(),
                epochs == null ? DEFAULT_EPOCHS : epochs,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                lr == null ? Sgd.DEFAULT_LR : lr,
                momentum == null ? Sgd.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? Sgd.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                trainSubset,
                schedule == null ? CONSTANT : schedule);
    }
}
