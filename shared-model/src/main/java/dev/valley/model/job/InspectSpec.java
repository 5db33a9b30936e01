package dev.valley.model.job;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.UUID;

/**
 * A worker's inspection of an uploaded TorchScript module: load it, run one forward pass in eval mode and one in
 * train mode on two examples of {@code dataset}, check the output is [2, classes], and list its tensors. Made by
 * {@code POST /api/v1/models} with {@code format=torchscript}, not submitted: the module is READY when this job
 * succeeds and INVALID, with its reason, when it fails. It also stores the archive's own weights as
 * {@code model.safetensors}, so that {@code {"model": id}} names them wherever a network can be named.
 */
public record InspectSpec(
        @Description("the uploaded module")
        @NotNull UUID module,
        @Description("the dataset whose samples the module takes and whose classes it predicts")
        @NotNull @Pattern(regexp = Datasets.PATTERN, message = Datasets.MESSAGE) String dataset)
        implements JobSpec {

    @Override
    public InspectSpec withDefaults() {
        return this;
    }

    @Override
    public ModelSpec model() {
        return module == null ? null : ModelSpec.torchscript(module);
    }
}
