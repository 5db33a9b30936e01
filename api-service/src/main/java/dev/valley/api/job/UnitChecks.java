package dev.valley.api.job;

import dev.valley.api.dataset.DatasetService;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.model.job.AlignSpec;
import dev.valley.model.job.GridSpec;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.PlaneSpec;
import dev.valley.model.layout.ModelLayout;
import dev.valley.model.layout.PermutationSpec;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Specs that reach into a network's hidden units, checked at submission against the permutation groups the network
 * declares ({@link PermutationSpec}, the worker's own): a swap plane's layer and units, an align job's network. A
 * wrong one is a 400 naming the field, before anything is stored or run.
 */
@Component
class UnitChecks {
    private final DatasetService datasets;

    UnitChecks(DatasetService datasets) {
        this.datasets = datasets;
    }

    /** {@code model}: the inputs' network ({@link JobInputs.Plan#model}); nothing is checked without one. */
    void check(JobSpec spec, ModelSpec model) {
        if (model == null) {
            return;
        }
        if (spec instanceof AlignSpec align) {
            if (model.isTorchScript()) {
                throw new InvalidRequestException("spec.target", "is a TorchScript module, whose hidden units are"
                        + " not declared; align takes the built-in architectures (mlp, vgg, preresnet)");
            }
            if (AlignSpec.ACTIVATIONS.equals(align.method()) && !ModelSpec.MLP.equals(model.arch())) {
                throw new InvalidRequestException("spec.method", "activations matches the units of mlp networks;"
                        + " align a " + model.arch() + " with method weights");
            }
        } else if (spec instanceof GridSpec grid && grid.plane().isSwap()) {
            swap(grid, model.withDefaults());
        }
    }

    private void swap(GridSpec grid, ModelSpec model) {
        PlaneSpec plane = grid.plane();
        if (model.isTorchScript()) {
            throw new InvalidRequestException("spec.plane.point", "is a TorchScript module, whose hidden units are"
                    + " not declared; a swap plane takes the built-in architectures (mlp, vgg, preresnet)");
        }
        DatasetService.Examples examples = datasets.examples(grid.dataset()).orElse(null);
        if (examples == null) {
            return; // the inputs' dataset is gone: the job fails on it, with its own reason
        }
        List<ModelLayout.Tensor> layout;
        try {
            layout = ModelLayout.of(model, examples.shape(), examples.classes());
        } catch (IllegalArgumentException e) {
            return; // a network that cannot take this dataset's examples is refused where the inputs are checked
        }
        if (!grid.recomputeBatchNorm() && layout.stream().anyMatch(t -> !t.parameter())) {
            throw new InvalidRequestException("spec.recomputeBatchNorm", "must be true for a swap plane of a network"
                    + " with batch norm: the point's statistics belong to the unswapped units");
        }
        PermutationSpec.Group group;
        try {
            group = PermutationSpec.of(model, layout).resolve(plane.layer());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("spec.plane.layer", e.getMessage());
        }
        int[] pair = plane.unitPair();
        if (pair != null) {
            for (int unit : pair) {
                if (unit >= group.size()) {
                    throw new InvalidRequestException("spec.plane.units", "unit " + unit + " is out of range: "
                            + group.name() + " has " + group.size() + " units (0 to " + (group.size() - 1) + ")");
                }
            }
        } else if (group.size() < 2) {
            throw new InvalidRequestException("spec.plane.layer", group.name() + " has one unit; a swap needs two");
        }
    }
}
