package dev.valley.model.job;

import java.util.List;

/**
 * What the inspection of a TorchScript module found. {@code output}: the logits' shape for a batch of two;
 * {@code parameters}: the number of trainable values; {@code tensors}: the module's {@code state_dict}, in its
 * order; {@code batchNorm}: the running means and variances Valley recomputes for a network it assembled (a curve
 * point, an average, a grid point), those of PyTorch's BatchNorm1d/2d/3d; {@code noInitRule}: the tensors that
 * {@code "init": "seed"} leaves at the archive's values, because no default rule fits them.
 */
public record InspectResult(
        String topClass,
        List<Long> input,
        List<Long> output,
        long parameters,
        List<Tensor> tensors,
        List<String> batchNorm,
        List<String> noInitRule,
        String device,
        double seconds) {

    /** One tensor: {@code role} parameter or buffer; {@code init} the rule {@code "init": "seed"} follows. */
    public record Tensor(String name, List<Long> shape, String dtype, String role, String init) {
    }
}
