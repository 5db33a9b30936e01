package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How differently any set of networks of one architecture predict ({@link Diversity}): independently trained
 * networks, FGE snapshots, curve points, an align job's network, uploads, in any mixture. Each is evaluated on the
 * test split (or a seeded subset) with its own batch-norm statistics. {@code model} and {@code dataset} come from the
 * inputs.
 */
public record CompareSpec(
        @Description("refs to 2 to 50 networks of one architecture and dataset")
        @NotNull @Size(min = 2, max = MAX_NETWORKS, message = "must name 2 to " + MAX_NETWORKS + " networks")
        List<@NotNull @Valid ModelRef> networks,
        @Description("compare on a seeded subset of this many test examples (null: all)")
        @Positive Integer testSubset,
        @Description("the test subset's permutation")
        @NotNull Long seed,
        @Description("must be the inputs' dataset (null: theirs)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("must be the inputs' architecture (null: theirs)")
        @Valid ModelSpec model) implements JobSpec {

    public static final int MAX_NETWORKS = 50;

    @Override
    public CompareSpec withDefaults() {
        return new CompareSpec(ModelRef.withDefaults(networks), testSubset, seed == null ? Sgd.DEFAULT_SEED : seed,
                dataset, model == null ? null : model.withDefaults());
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        for (int i = 0; networks != null && i < networks.size(); i++) {
            refs.put("networks[" + i + "]", networks.get(i));
        }
        return refs;
    }

    @Override
    public JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return new CompareSpec(networks, testSubset, seed, dataset == null ? inputDataset : dataset, inputModel);
    }
}
