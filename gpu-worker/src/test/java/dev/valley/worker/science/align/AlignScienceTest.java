package dev.valley.worker.science.align;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.valley.model.job.AlignResult;
import dev.valley.model.job.AlignSpec;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.TrainingRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Alignment of trained networks, two seeds each, on the bounds: a vgg's aligned line keeps at most half the
 * unaligned barrier, a PreResNet-8 with skips keeps its function and its barrier falls, and activation matching of
 * MLPs lowers the barrier too. (The 784-512-512-10 MLP's quarter bound is {@code AlignEndToEndTest}'s.) Budgets are
 * small: subsets of Fashion-MNIST, 11 points per line.
 */
class AlignScienceTest {
    private static final DatasetCatalog CATALOG = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR);

    /** Two networks trained on {@code trainSubset} examples; the lines evaluated on 2,000 and 500 of them. */
    private static AlignResult align(ModelSpec model, String dataset, int epochs, Integer trainSubset, String method,
            double lr) {
        byte[][] nets = new byte[2][];
        for (int s = 0; s < 2; s++) {
            nets[s] = new TrainingRun(CATALOG).run(new TrainSpec(dataset, model, epochs, 64, lr, 0.9, 0.0, s + 1L,
                    trainSubset), Device.cpu(), TrainingListener.NONE).safetensors();
        }
        boolean images = !dataset.equals("spirals");
        AlignSpec spec = new AlignSpec(null, null, method, 1L, 2000, 11, 128, images ? 2000 : null,
                images ? 500 : null, dataset, model).withDefaults();
        AlignRun.Output output = new AlignRun(CATALOG).run(spec, nets[0], nets[1], Device.cpu(),
                TrainingListener.NONE);
        AlignResult r = output.result();
        assertThat(r.functionDifference()).as("%s: the same function", model).isLessThanOrEqualTo(1e-5);
        assertThat(SafeTensors.read(output.aligned()).tensors().keySet())
                .isEqualTo(SafeTensors.read(nets[1]).tensors().keySet());
        System.out.printf("%s %s: barrier %.4f, aligned %.4f%n", model, method, r.target().barrier(),
                r.aligned().barrier());
        return r;
    }

    @Test
    void aVggsAlignedLineKeepsAtMostHalfTheBarrier() {
        AlignResult r = align(new ModelSpec("vgg", null, List.of(16, 32)), "fashion-mnist", 3, 5000,
                AlignSpec.WEIGHTS, 0.05);
        assertThat(r.target().barrier()).isGreaterThan(0.05);
        assertThat(r.aligned().barrier()).isLessThanOrEqualTo(0.5 * r.target().barrier());
        assertThat(r.batchNormRecomputed()).isTrue();
    }

    @Test
    void aResidualNetworkKeepsItsFunctionAndItsBarrierFalls() {
        AlignResult r = align(new ModelSpec("preresnet", null, null, 8, true), "fashion-mnist", 2, 3000,
                AlignSpec.WEIGHTS, 0.05);
        assertThat(r.aligned().barrier()).isLessThan(r.target().barrier());
    }

    @Test
    void activationMatchingLowersAnMlpsBarrier() {
        AlignResult r = align(new ModelSpec("mlp", List.of(64, 64), null), "spirals", 30, null,
                AlignSpec.ACTIVATIONS, 0.1);
        assertThat(r.aligned().barrier()).isLessThan(r.target().barrier());
        assertThat(r.objective().get(1)).isGreaterThan(r.objective().get(0));
    }
}
