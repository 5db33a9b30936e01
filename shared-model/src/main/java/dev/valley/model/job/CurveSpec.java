package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fit a curve of low loss between two trained networks (Garipov et al. 2018) and evaluate it against the straight
 * line between them. {@code bends} counts both endpoints: 3 is one free bend. {@code dataset} defaults to the
 * endpoints' own; {@code ensembleSize} is K of the ensemble of K evenly spaced curve points.
 */
public record CurveSpec(
        @Description("the two networks the curve connects: refs to jobs ({\"job\": id}, with \"artifact\" for "
                + "another file) or uploaded weights ({\"model\": id}), of one architecture and dataset")
        @NotNull @Size(min = 2, max = 2, message = "must name exactly two networks") List<@NotNull @Valid ModelRef> endpoints,
        @Description("bezier (Bernstein polynomials of the bends) or polychain (a polygonal chain through them)")
        @NotNull @Pattern(regexp = "bezier|polychain", message = "must be one of: bezier, polychain") String curve,
        @Description("points of the curve counting both endpoints (3: one free bend)")
        @NotNull @Min(3) @Max(16) Integer bends,
        @Description("epochs of curve fitting")
        @NotNull @Min(1) @Max(1000) Integer epochs,
        @Description("examples per step, and the batch of the batch-norm recomputation")
        @Sgd.BatchSize Integer batchSize,
        @Description("the base rate, on dnn-mode-connectivity's schedule (flat for half the epochs, then linear down "
                + "to 1 % at 90 %)")
        @Sgd.Rate Double lr,
        @Sgd.Momentum Double momentum,
        @Description("the loss is cross-entropy + ½·weightDecay·‖φ(t)‖²")
        @Sgd.WeightDecay Double weightDecay,
        @Description("the t drawn per minibatch, batch order, subset, and fresh bends when initLinear is false")
        @NotNull Long seed,
        @Description("must be the endpoints' dataset (null: theirs)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("train and evaluate train metrics on a seeded subset of this many examples (null: all)")
        @Positive Integer trainSubset,
        @Description("evenly spaced t in [0, 1] at which the curve and the line are evaluated")
        @NotNull @Min(2) @Max(1001) Integer points,
        @Description("interior bends start on the straight line between the endpoints")
        @NotNull Boolean initLinear,
        @Description("K of the ensemble of K evenly spaced curve points (default 5, or points where that is fewer)")
        @NotNull @Min(2) @Max(101) Integer ensembleSize,
        @Description("keep the bends as they are at the start and after every k-th epoch (and the last), as "
                + "curve-history.safetensors, for a grid's frames: \"epochs\" (every epoch) or k; at most 100 kept "
                + "after the start (null: none)")
        Object snapshots) implements JobSpec {

    public static final String BEZIER = "bezier";
    public static final String POLYCHAIN = "polychain";
    public static final int DEFAULT_BENDS = 3;
    public static final int DEFAULT_EPOCHS = 10;
    public static final int DEFAULT_POINTS = 61;
    public static final int DEFAULT_ENSEMBLE_SIZE = 5;

    /** The file of a curve's kept bends, for a grid's frames. */
    public static final String HISTORY_ARTIFACT = "curve-history.safetensors";
    /** The most snapshots a curve keeps after its start. */
    public static final int MAX_SNAPSHOTS = 100;
    public static final String EVERY_EPOCH = "epochs";

    @AssertTrue(message = "must be \"epochs\" or a whole number k of epochs from 1 to epochs, keeping at most 100"
            + " snapshots (epochs / k <= 100)")
    boolean isSnapshotsValid() {
        if (snapshots == null || epochs == null) {
            return true;
        }
        Integer k = snapshotEvery();
        return k != null && k >= 1 && k <= epochs && (epochs + k - 1) / k <= MAX_SNAPSHOTS;
    }

    /** Every how many epochs the bends are kept (1 for "epochs"), or null: none, or not a valid value. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public Integer snapshotEvery() {
        if (EVERY_EPOCH.equals(snapshots)) {
            return 1;
        }
        return snapshots instanceof Integer k ? k : null;
    }

    /** The epochs whose bends are kept: 0 (the start), every k-th, and the last; empty without snapshots. */
    public List<Integer> snapshotEpochs() {
        Integer k = snapshotEvery();
        List<Integer> due = new java.util.ArrayList<>();
        if (k == null || snapshots == null) {
            return due;
        }
        due.add(0);
        for (int e = k; e <= epochs; e += k) {
            due.add(e);
        }
        if (due.get(due.size() - 1) != epochs.intValue()) {
            due.add(epochs);
        }
        return due;
    }

    @AssertTrue(message = "must not exceed points")
    boolean isEnsembleSizeWithinPoints() {
        return ensembleSize == null || points == null || ensembleSize <= points;
    }

    @Override
    public CurveSpec withDefaults() {
        Integer p = points == null ? Integer.valueOf(DEFAULT_POINTS) : points;
        return new CurveSpec(
                ModelRef.withDefaults(endpoints),
                curve == null ? BEZIER : curve,
                bends == null ? DEFAULT_BENDS : bends,
                epochs == null ? DEFAULT_EPOCHS : epochs,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                lr == null ? Sgd.DEFAULT_LR : lr,
                momentum == null ? Sgd.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? Sgd.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                dataset,
                trainSubset,
                p,
                initLinear == null ? Boolean.TRUE : initLinear,
                ensembleSize != null ? ensembleSize
                        : p >= 2 ? Math.min(DEFAULT_ENSEMBLE_SIZE, p) : DEFAULT_ENSEMBLE_SIZE,
                snapshots);
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        for (int i = 0; endpoints != null && i < endpoints.size(); i++) {
            refs.put("endpoints[" + i + "]", endpoints.get(i));
        }
        return refs;
    }

    /** The same spec with the dataset the endpoints were trained on, where none was given. */
    @Override
    public CurveSpec withInputs(ModelSpec inputModel, String endpointsDataset) {
        return dataset != null ? this : new CurveSpec(endpoints, curve, bends, epochs, batchSize, lr, momentum,
                weightDecay, seed, endpointsDataset, trainSubset, points, initLinear, ensembleSize, snapshots);
    }
}
