package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.util.Map;

/**
 * Fast geometric ensembling (Garipov et al. 2018, dnn-mode-connectivity's fge.py): from a trained network, SGD with
 * a triangular cyclic learning rate lr1 → lr2 → lr1 over {@code cycle} epochs (even), changed every step; a snapshot
 * at each cycle's low point; the ensemble is the mean of the snapshots' softmax outputs. {@code model} is filled
 * in from the start network.
 */
public record FgeSpec(
        @Description("a ref to a trained network; model and dataset come from it")
        @NotNull @Valid ModelRef start,
        @Description("must be the start network's dataset (null: its)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("must be the start network's architecture (null: its)")
        @Valid ModelSpec model,
        @Description("epochs in all, at least half a cycle")
        @NotNull @Min(2) @Max(1000) Integer epochs,
        @Description("epochs per cycle of the learning rate, even")
        @NotNull @Min(2) @Max(1000) Integer cycle,
        @Sgd.BatchSize Integer batchSize,
        @Description("the rate at each cycle's ends")
        @Sgd.Rate Double lr1,
        @Description("the rate at each cycle's middle, where a snapshot is taken")
        @Sgd.Rate Double lr2,
        @Sgd.Momentum Double momentum,
        @Sgd.WeightDecay Double weightDecay,
        @Description("batch order, subset and spirals")
        @NotNull Long seed,
        @Description("train on a seeded random subset of this many examples (null: all)")
        @Positive Integer trainSubset) implements JobSpec {

    @AssertTrue(message = "must be even (the low point is half way)")
    boolean isCycleEven() {
        return cycle == null || cycle % 2 == 0;
    }

    @AssertTrue(message = "must be at least half a cycle, to reach one snapshot")
    boolean isEpochsEnough() {
        return epochs == null || cycle == null || epochs >= cycle / 2;
    }

    @Override
    public FgeSpec withDefaults() {
        return new FgeSpec(start == null ? null : start.withDefaults(), dataset,
                model == null ? null : model.withDefaults(),
                epochs == null ? 12 : epochs,
                cycle == null ? 4 : cycle,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                lr1 == null ? Sgd.DEFAULT_LR : lr1,
                lr2 == null ? Sgd.DEFAULT_LR / 100 : lr2,
                momentum == null ? Sgd.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? Sgd.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                trainSubset);
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        return start == null ? Map.of() : Map.of("start", start);
    }

    @Override
    public JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return new FgeSpec(start, dataset == null ? inputDataset : dataset, inputModel, epochs, cycle, batchSize, lr1,
                lr2, momentum, weightDecay, seed, trainSubset);
    }
}
