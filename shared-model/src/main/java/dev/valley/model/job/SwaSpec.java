package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic weight averaging (Izmailov et al. 2018), against plain SGD at the same budget. The network comes from
 * {@code dataset} and {@code model} (trained from the seed) or from {@code start} (a trained network). SGD at
 * {@code lr} until epoch {@code swaStart}, then at {@code swaLr} (reached at once, or by cosine annealing over
 * {@code annealEpochs}, as SWALR does), the running average updated every {@code averageEvery} epochs or steps,
 * and scored (its batch-norm statistics recomputed over the training set, then the test set) every
 * {@code evaluateEvery} epochs of the SWA phase and at its end, as the reference's {@code eval_freq} does.
 * The baseline is SGD from the same start for the same {@code epochs} with the curve schedule (flat, then linear
 * down to 1 %).
 */
public record SwaSpec(
        @Description("as train; train from the seed (or give start)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("as train (regression-1d's own network where left out); with dataset, train from the seed")
        @Valid ModelSpec model,
        @Description("a ref to a trained network to start both runs from; model and dataset then come from it")
        @Valid ModelRef start,
        @Description("the budget of each of the two runs (the SGD baseline and the SWA run)")
        @NotNull @Min(2) @Max(1000) Integer epochs,
        @Description("epochs of plain SGD at lr before averaging starts (default ¾ of epochs)")
        @NotNull @Min(1) @Max(999) Integer swaStart,
        @Sgd.BatchSize Integer batchSize,
        @Description("the SGD phase's rate, and the baseline's base rate")
        @Sgd.Rate Double lr,
        @Description("the SWA phase's rate")
        @Sgd.Rate Double swaLr,
        @Description("constant: swaLr at once; cosine: from lr to swaLr over annealEpochs, as SWALR")
        @NotNull @Pattern(regexp = "constant|cosine", message = "must be one of: constant, cosine") String anneal,
        @Description("epochs of the cosine anneal")
        @NotNull @Min(1) @Max(1000) Integer annealEpochs,
        @Description("update the average every this many averageUnits of the SWA phase")
        @NotNull @Min(1) @Max(100000) Integer averageEvery,
        @Description("epochs or steps")
        @NotNull @Pattern(regexp = "epochs|steps", message = "must be one of: epochs, steps") String averageUnit,
        @Description("score the average every this many epochs after swaStart, and at the last; each score costs a "
                + "forward pass over the training set where the network has batch norm")
        @NotNull @Min(1) @Max(1000) Integer evaluateEvery,
        @Sgd.Momentum Double momentum,
        @Sgd.WeightDecay Double weightDecay,
        @Description("initialisation (without start), batch order, subset and spirals")
        @NotNull Long seed,
        @Description("train on a seeded random subset of this many examples (null: all)")
        @Positive Integer trainSubset) implements JobSpec {

    public static final int DEFAULT_EPOCHS = 20;
    public static final double DEFAULT_SWA_LR = 0.01;

    @AssertTrue(message = "give either start, or dataset and model (model may be left out for regression-1d)")
    boolean isSourceGiven() {
        return start != null ? model == null : dataset != null && (model != null
                || Datasets.defaultModel(dataset) != null);
    }

    @AssertTrue(message = "must be before epochs")
    boolean isSwaStartBeforeEnd() {
        return swaStart == null || epochs == null || swaStart < epochs;
    }

    @AssertTrue(message = "needs image inputs; datasets spirals and regression-1d hold points")
    boolean isModelFitsDataset() {
        return model == null || !model.needsImages() || Datasets.sampleShape(dataset) == null
                || Datasets.sampleShape(dataset).length == 3;
    }

    @Override
    public SwaSpec withDefaults() {
        int e = epochs == null ? DEFAULT_EPOCHS : epochs;
        return new SwaSpec(dataset, model != null ? model.withDefaults()
                        : start == null ? Datasets.defaultModel(dataset) : null,
                start == null ? null : start.withDefaults(), e,
                swaStart == null ? Math.max(1, e * 3 / 4) : swaStart,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                lr == null ? Sgd.DEFAULT_LR : lr,
                swaLr == null ? DEFAULT_SWA_LR : swaLr,
                anneal == null ? "cosine" : anneal,
                annealEpochs == null ? 1 : annealEpochs,
                averageEvery == null ? 1 : averageEvery,
                averageUnit == null ? "epochs" : averageUnit,
                evaluateEvery == null ? 1 : evaluateEvery,
                momentum == null ? Sgd.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? Sgd.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                trainSubset);
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        if (start != null) {
            refs.put("start", start);
        }
        return refs;
    }

    @Override
    public JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return new SwaSpec(dataset == null ? inputDataset : dataset, inputModel, start, epochs, swaStart, batchSize,
                lr, swaLr, anneal, annealEpochs, averageEvery, averageUnit, evaluateEvery, momentum, weightDecay, seed, trainSubset);
    }
}
