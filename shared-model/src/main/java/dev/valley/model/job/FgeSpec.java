package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
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
        @NotNull @Valid ModelRef start,
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Valid ModelSpec model,
        @NotNull @Min(2) @Max(1000) Integer epochs,
        @NotNull @Min(2) @Max(1000) Integer cycle,
        @NotNull @Min(1) @Max(65536) Integer batchSize,
        @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("10") Double lr1,
        @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax("10") Double lr2,
        @NotNull @DecimalMin("0") @DecimalMax(value = "1", inclusive = false) Double momentum,
        @NotNull @DecimalMin("0") @DecimalMax("1") Double weightDecay,
        @NotNull Long seed,
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
                batchSize == null ? TrainSpec.DEFAULT_BATCH_SIZE : batchSize,
                lr1 == null ? TrainSpec.DEFAULT_LR : lr1,
                lr2 == null ? TrainSpec.DEFAULT_LR / 100 : lr2,
                momentum == null ? TrainSpec.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? TrainSpec.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? TrainSpec.DEFAULT_SEED : seed,
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
