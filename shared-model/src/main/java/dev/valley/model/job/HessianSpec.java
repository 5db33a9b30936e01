package dev.valley.model.job;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The curvature of a network's training loss (PyHessian, Yao et al. 2020): the {@code top} eigenvalues of the
 * Hessian H = ∇²L(θ) of the mean loss over {@code subset} training examples, by power iteration with deflation on
 * exact Hessian-vector products, and its trace tr H by Hutchinson's estimator with {@code probes} Rademacher vectors
 * (exactly, from unit vectors, where the network has no more parameters than probes). The top eigenvalue is the
 * network's sharpness. Batch norm uses its running statistics (eval mode, PyHessian's default). {@code model} and
 * {@code dataset} come from the input.
 */
public record HessianSpec(
        @Description("a ref to the network whose Hessian is taken")
        @NotNull @Valid ModelRef network,
        @Description("how many of the largest-magnitude eigenvalues (and their eigenvectors) to find; a grid's hessian"
                + " plane needs 2")
        @NotNull @Min(1) @Max(MAX_TOP) Integer top,
        @Description("also estimate the trace")
        @NotNull Boolean trace,
        @Description("Rademacher vectors for the trace (Hutchinson); where the network has at most this many "
                + "parameters the trace is exact")
        @NotNull @Min(1) @Max(10_000) Integer probes,
        @Description("the training examples whose mean loss is differentiated: the first N of a seeded permutation "
                + "(all of them where the split is smaller)")
        @NotNull @Min(1) @Max(1_000_000) Integer subset,
        @Description("power iteration stops when an eigenvalue changes by less than this, relative")
        @NotNull @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false)
        Double tolerance,
        @Description("power iteration stops after this many products per eigenvalue, converged or not")
        @NotNull @Min(1) @Max(10_000) Integer maxIterations,
        @Description("examples per forward pass: memory against speed; the result does not depend on it")
        @Sgd.BatchSize Integer batchSize,
        @Description("the subset's permutation (a grid with the same seed and trainSubset evaluates the same examples)")
        @NotNull Long seed,
        @Description("the starting vectors' and the probes' draws (null: seed); vary it alone to see how reproducible "
                + "the numbers are on the same examples")
        @NotNull Long vectorSeed,
        @Description("must be the input's dataset (null: its own)")
        @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset,
        @Description("must be the input's architecture (null: its own)")
        @Valid ModelSpec model) implements JobSpec {

    public static final int MAX_TOP = 20;
    /** The job's artifact: the network and its eigenvectors, for a grid's hessian plane. */
    public static final String ARTIFACT = "eigenvectors.safetensors";

    @Override
    public HessianSpec withDefaults() {
        return new HessianSpec(network == null ? null : network.withDefaults(),
                top == null ? 2 : top,
                trace == null ? Boolean.TRUE : trace,
                probes == null ? 50 : probes,
                subset == null ? 5_000 : subset,
                tolerance == null ? 1e-3 : tolerance,
                maxIterations == null ? 100 : maxIterations,
                batchSize == null ? 1_000 : batchSize,
                seed == null ? Sgd.DEFAULT_SEED : seed,
                vectorSeed != null ? vectorSeed : seed == null ? Sgd.DEFAULT_SEED : seed,
                dataset,
                model == null ? null : model.withDefaults());
    }

    @Override
    public Map<String, ModelRef> modelRefs() {
        Map<String, ModelRef> refs = new LinkedHashMap<>();
        if (network != null) {
            refs.put("network", network);
        }
        return refs;
    }

    @Override
    public JobSpec withInputs(ModelSpec inputModel, String inputDataset) {
        return new HessianSpec(network, top, trace, probes, subset, tolerance, maxIterations, batchSize, seed,
                vectorSeed, dataset == null ? inputDataset : dataset, inputModel);
    }
}
