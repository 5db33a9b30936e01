package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Permute the target network's hidden units into the reference's basis (Git Re-Basin, Ainsworth et al. 2023): the
 * same function, and, for networks trained from different seeds, a far lower straight-line barrier to the reference.
 * {@code weights}: weight matching; {@code activations}: units matched by the correlation of their activations on
 * {@code subset} training examples. Both lines (reference → target, reference → aligned) are evaluated at
 * {@code points} evenly spaced points, batch norm recomputed at each. {@code model} and {@code dataset} come from the
 * inputs.
 */
public record AlignSpec(
        @Description("a ref to the network whose basis the target is permuted into")
        @NotNull @Valid ModelRef reference,
        @Description("a ref to the network to permute; the same architecture as the reference")
        @NotNull @Valid ModelRef target,
        @Description("weights (weight matching, default) or activations (correlation of activations; mlp)")
        @Pattern(regexp = "weights|activations", message = "must be one of: weights, activations") String method,
        @Description("the order in which weight matching visits the permutations, the activations' examples, and the "
                + "spirals data")
        @NotNull Long seed,
        @Description("activations: the training examples whose activations are compared")
        @Min(10) @Max(60000) Integer subset,
        @Description("points on each line, ends included")
        @Min(2) @Max(101) Integer points,
        @Description("the batch-norm pass's batch size")
        @Sgd.BatchSize Integer batchSize,
        @Description("evaluate the lines on a seeded subset of this many training examples (null: all)")
        @Positive Integer trainSubset,
        @Description("evaluate the lines on a seeded subset of this many test examples (null: all); the same-function "
                + "check uses it too")
        @Positive Integer testSubset,
        @Description("must be the inputs' dataset (null: theirs)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("must be the inputs' architecture (null: theirs)")
        @Valid ModelSpec model) implements JobSpec {

    public static final String WEIGHTS = "weights";
    public static final String ACTIVATIONS = "activations";
    /** Weight matching stops after this many sweeps even if the last one changed something. */
    public static final int MAX_SWEEPS = 100;

    @Override
    public AlignSpec withDefaults() {
        return new AlignSpec(reference == null ? null : reference.withDefaults(),
                target == null ? null : target.withDefaults(),
                method == null ? WEIGHTS : method,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                subset == null ? 10_000 : subset,
                points == null ? 21 : points,
                batchSize == null ? Sgd.DEFAULT_BATCH_SIZE : batchSize,
                trainSubset,
                testSubset,
                dataset,
                model == null ? null : model.withDefaults());
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        if (reference != null) {
            refs.put("reference", reference);
        }
        if (target != null) {
            refs.put("target", target);
        }
        return refs;
    }

    @Override
    public JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return new AlignSpec(reference, target, method, seed, subset, points, batchSize, trainSubset, testSubset,
                dataset == null ? inputDataset : dataset, inputModel);
    }
}
