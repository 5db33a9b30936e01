package dev.valley.worker.science.bench;

import ai.djl.Device;
import dev.valley.model.job.AlignResult;
import dev.valley.model.job.AlignSpec;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.job.TrainSpec;
import dev.valley.worker.science.ComputeThread;
import dev.valley.worker.science.align.AlignRun;
import dev.valley.worker.science.data.DatasetCatalog;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.train.TrainingListener;
import dev.valley.worker.science.train.TrainingRun;
import java.util.List;

/**
 * The barrier against width (Ainsworth et al. 2023, figure 4): for Fashion-MNIST MLPs of {@code layers} hidden layers
 * of each width, two networks trained from seeds 1 and 2 for the same epochs, the straight-line barrier between them before
 * and after weight matching, as an align job measures it (train loss, 21 points). Prints a Markdown table. Run with
 * {@code ./valley bench align-widths [epochs] [layers] [widths…]}.
 */
public final class AlignWidthStudy {
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        List<Integer> widths = args.length > 2
                ? java.util.Arrays.stream(args, 2, args.length).map(Integer::valueOf).toList()
                : List.of(32, 64, 128, 256, 512, 1024);
        try (ComputeThread compute = new ComputeThread()) {
            compute.call(() -> {
                run(epochs, layers, widths);
                return null;
            });
        }
    }

    private static void run(int epochs, int layers, List<Integer> widths) {
        Device device = TrainingBenchmark.device();
        DatasetCatalog catalog = new DatasetCatalog(FashionMnist.DEBIAN_PACKAGE_DIR);
        System.out.printf("Fashion-MNIST, MLPs of %d hidden layer(s) of width w, seeds 1 and 2, %d epochs (batch 128,"
                + " lr 0.05, momentum 0.9, weight decay 1e-4)%n%n", layers, epochs);
        System.out.println("| width | test accuracy (seed 1, 2) | line barrier | aligned | reduction | sweeps |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (int width : widths) {
            ModelSpec model = new ModelSpec("mlp", java.util.Collections.nCopies(layers, width), null);
            byte[][] nets = new byte[2][];
            double[] accuracy = new double[2];
            for (int s = 0; s < 2; s++) {
                TrainingRun.Output out = new TrainingRun(catalog).run(new TrainSpec("fashion-mnist", model, epochs,
                        128, 0.05, 0.9, 1e-4, s + 1L, null), device, TrainingListener.NONE);
                nets[s] = out.safetensors();
                accuracy[s] = out.result().testAccuracy();
            }
            AlignSpec spec = new AlignSpec(null, null, AlignSpec.WEIGHTS, 1L, null, 21, 128, null, null,
                    "fashion-mnist", model).withDefaults();
            AlignResult r = new AlignRun(catalog).run(spec, nets[0], nets[1], device, TrainingListener.NONE)
                    .result();
            System.out.printf("| %d | %.4f, %.4f | %.4f | %.4f | %.1f %% | %d |%n", width, accuracy[0], accuracy[1],
                    r.target().barrier(), r.aligned().barrier(),
                    r.barrierReduction() == null ? Double.NaN : 100 * r.barrierReduction(), r.sweeps());
        }
    }
}
