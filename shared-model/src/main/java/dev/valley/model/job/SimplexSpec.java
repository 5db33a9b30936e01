package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMin;
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
 * A simplex of low loss (Benton et al. 2021, "Loss Surface Simplexes for Mode Connecting Volumes and Fast
 * Ensembling", loss-surface-simplexes): fixed vertices (the {@code start} network, or the {@code modes}), then
 * {@code vertices} free ones added one at a time, each trained for {@code epochsPerVertex} epochs while the others
 * stay fixed: per minibatch, the mean cross-entropy of {@code samples} points drawn uniformly in the simplex minus
 * {@code volumeWeight}·log(volume). {@code model} and {@code dataset} come from the inputs.
 */
public record SimplexSpec(
        @Description("a ref to a trained network: the first vertex, fixed (or give modes)")
        @Valid ModelRef start,
        @Description("refs to 2 to 8 networks: fixed vertices of a simplicial complex (or give start)")
        @Size(min = 2, max = 8, message = "must name 2 to 8 networks") List<@NotNull @Valid ModelRef> modes,
        @Description("free vertices to add, one at a time")
        @NotNull @Min(1) @Max(8) Integer vertices,
        @Description("epochs of training for each added vertex")
        @NotNull @Min(1) @Max(1000) Integer epochsPerVertex,
        @Sgd.Rate Double lr,
        @Description("λ: the weight of −log(volume) in the loss")
        @NotNull @DecimalMin(value = "0", message = "must be at least 0") Double volumeWeight,
        @Description("points drawn uniformly in the simplex per minibatch")
        @NotNull @Min(1) @Max(64) Integer samples,
        @Sgd.BatchSize Integer batchSize,
        @Sgd.Momentum Double momentum,
        @Sgd.WeightDecay Double weightDecay,
        @Description("the new vertices' perturbation, the samples, batch order, subset and spirals")
        @NotNull Long seed,
        @Description("train on a seeded random subset of this many examples (null: all)")
        @Positive Integer trainSubset,
        @Description("K of the ensembles of K uniform samples (ESPRO), 1 to K")
        @NotNull @Min(1) @Max(100) Integer ensembleSize,
        @Description("must be the inputs' dataset (null: theirs)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("must be the inputs' architecture (null: theirs)")
        @Valid ModelSpec model) implements JobSpec {

    /** Points drawn uniformly in the finished simplex to describe it. */
    public static final int EVALUATION_SAMPLES = 100;

    @AssertTrue(message = "give start (one network) or modes (2 to 8), not both")
    boolean isOneSource() {
        return (start == null) != (modes == null);
    }

    @Override
    public SimplexSpec withDefaults() {
        return new SimplexSpec(start == null ? null : start.withDefaults(),
                ModelRef.withDefaults(modes),
                vertices == null ? 2 : vertices,
                epochsPerVertex == null ? 10 : epochsPerVertex,
                lr == null ? 0.01 : lr,
                volumeWeight == null ? 1e-6 : volumeWeight,
                samples == null ? 5 : samples,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                momentum == null ? Sgd.DEFAULT_MOMENTUM : momentum,
                weightDecay == null ? Sgd.DEFAULT_WEIGHT_DECAY : weightDecay,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                trainSubset,
                ensembleSize == null ? 10 : ensembleSize,
                dataset,
                model == null ? null : model.withDefaults());
    }

    /** The fixed vertices' fields, in order: {@code start}, or {@code modes[i]}. */
    public List<String> fixedFields() {
        return List.copyOf(modelRefs().keySet());
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        if (start != null) {
            refs.put("start", start);
        }
        for (int i = 0; modes != null && i < modes.size(); i++) {
            refs.put("modes[" + i + "]", modes.get(i));
        }
        return refs;
    }

    @Override
    public JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return new SimplexSpec(start, modes, vertices, epochsPerVertex, lr, volumeWeight, samples, batchSize, momentum,
                weightDecay, seed, trainSubset, ensembleSize, dataset == null ? inputDataset : dataset, inputModel);
    }
}
