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
        @Description(Datasets.DESCRIPTION)
        @NotNull @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("the architecture: mlp with hidden widths, vgg with channels, or preresnet with depth and skips "
                + "(vgg and preresnet need images); required but for regression-1d, whose default is an mlp of hidden "
                + "[200, 50, 50, 50] and one output")
        @Valid ModelSpec model,
        @Description("passes over the training split")
        @NotNull @Min(1) @Max(1000) Integer epochs,
        @Sgd.BatchSize Integer batchSize,
        @Description("the learning rate (the base rate of the schedule)")
        @Sgd.Rate Double lr,
        @Sgd.Momentum Double momentum,
        @Sgd.WeightDecay Double weightDecay,
        @Description("network initialisation, batch order, subset and spirals")
        @NotNull Long seed,
        @Description("train on a seeded random subset of this many examples (null: all)")
        @Positive Integer trainSubset,
        @Description("constant at lr; decay: dnn-mode-connectivity's (flat for half the epochs, then linear down to "
                + "1 % at 90 %, epochs counted from 1); cosine: from lr to 0 over the run, per step")
        @Pattern(regexp = "constant|decay|cosine", message = "must be one of: constant, decay, cosine") String schedule,
        @Description("torchscript only: archive (default: start from the weights saved in the archive) or seed (fresh "
                + "weights drawn with the seed by PyTorch's default rules)")
        @Pattern(regexp = "archive|seed", message = "must be one of: archive, seed") String init,
        @Description("keep the weights every this many epochs (and at the start and the end) as "
                + "trajectory.safetensors, for a grid's trajectory plane; at most 100 kept between start and end")
        @Positive Integer trajectory,
        @Precision.Of String precision)
        implements JobSpec {

    /** The most weights a trajectory keeps between its start and its end. */
    public static final int MAX_TRAJECTORY = 100;

    public TrainSpec(String dataset, ModelSpec model, Integer epochs, Integer batchSize, Double lr, Double momentum,
            Double weightDecay, Long seed, Integer trainSubset, String schedule, String init) {
        this(dataset, model, epochs, batchSize, lr, momentum, weightDecay, seed, trainSubset, schedule, init, null);
    }

    public TrainSpec(String dataset, ModelSpec model, Integer epochs, Integer batchSize, Double lr, Double momentum,
            Double weightDecay, Long seed, Integer trainSubset, String schedule, String init, Integer trajectory) {
        this(dataset, model, epochs, batchSize, lr, momentum, weightDecay, seed, trainSubset, schedule, init,
                trajectory, null);
    }

    @AssertTrue(message = "bf16 is for the built-in architectures; a TorchScript module runs as it was exported")
    boolean isPrecisionForBuiltIn() {
        return !Precision.BF16.equals(precision) || model == null || !model.isTorchScript();
    }

    @AssertTrue(message = "must be less than epochs (a plane needs three kept networks: the start, one on the way and"
            + " the end) and keep at most 100 between start and end (epochs / trajectory <= 100)")
    boolean isTrajectoryValid() {
        // Not positive: @Positive says so (and epochs / 0 must not be reached).
        return trajectory == null || epochs == null || trajectory <= 0
                || (trajectory < epochs && epochs / trajectory <= MAX_TRAJECTORY);
    }

    /** The epochs whose weights a trajectory keeps: 0 (the start), every {@code trajectory}-th, and the last. */
    public java.util.List<Integer> trajectoryEpochs() {
        java.util.List<Integer> kept = new java.util.ArrayList<>(java.util.List.of(0));
        for (int e = trajectory; e <= epochs; e += trajectory) {
            kept.add(e);
        }
        if (kept.get(kept.size() - 1) != epochs.intValue()) {
            kept.add(epochs);
        }
        return kept;
    }

    public static final String INIT_ARCHIVE = "archive";
    public static final String INIT_SEED = "seed";

    public TrainSpec(String dataset, ModelSpec model, Integer epochs, Integer batchSize, Double lr, Double momentum,
            Double weightDecay, Long seed, Integer trainSubset, String schedule) {
        this(dataset, model, epochs, batchSize, lr, momentum, weightDecay, seed, trainSubset, schedule, null);
    }

    @AssertTrue(message = "is only for arch torchscript: the built-in networks always start from the seed")
    boolean isInitOnlyForTorchscript() {
        return init == null || model == null || model.isTorchScript();
    }

    public static final int DEFAULT_EPOCHS = 10;
    public static final String CONSTANT = "constant";

    /** The spec as it was before {@code schedule}: a constant rate. */
    public TrainSpec(String dataset, ModelSpec model, Integer epochs, Integer batchSize, Double lr, Double momentum,
            Double weightDecay, Long seed, Integer trainSubset) {
        this(dataset, model, epochs, batchSize, lr, momentum, weightDecay, seed, trainSubset, null);
    }

    @AssertTrue(message = "needs image inputs; datasets spirals and regression-1d hold points")
    boolean isModelFitsDataset() {
        return model == null || !model.needsImages() || Datasets.sampleShape(dataset) == null
                || Datasets.sampleShape(dataset).length == 3;
    }

    @AssertTrue(message = "is required (only regression-1d has a network of its own)")
    boolean isModelGiven() {
        return model != null || dataset == null || Datasets.defaultModel(dataset) != null;
    }

    @Override
    public TrainSpec withDefaults() {
        return new TrainSpec(
                dataset,
                model == null ? Datasets.defaultModel(dataset) : model.withDefaults(),
                epochs == null ? DEFAULT_EPOCHS : epochs,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                lr == null ? Sgd.DEFAULT_LR : lr,
                momentum == null ? Sgd.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? Sgd.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                trainSubset,
                schedule == null ? CONSTANT : schedule,
                init == null && model != null && model.isTorchScript() ? INIT_ARCHIVE : init, trajectory,
                precision == null ? Precision.DEFAULT : precision);
    }
}
