package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.Split;
import dev.valley.worker.science.hessian.HessianVectorProducts;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.Mode;
import dev.valley.worker.science.model.Weights;
import dev.valley.worker.science.train.MinibatchLoop;
import dev.valley.worker.science.train.NoGrad;
import dev.valley.worker.science.train.Sgd;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What one Hessian-vector product ({@link HessianVectorProducts}) costs beside one training step (forward, backward,
 * SGD update with momentum) on the same batch of the Fashion-MNIST MLP 784-512-512-10, interleaved in rounds on
 * random images (the cost does not depend on the values), and a chunk of 10 products sharing one forward pass and
 * first backward, as Hutchinson's probes do. Run with {@code ./valley bench hessian [batch] [rounds]}; one JSON line
 * per round.
 */
public final class HessianBenchmark {
    public static void main(String[] args) {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Device device = TrainingBenchmark.device();
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[batch * 784];
        int[] y = new int[batch];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < batch; i++) {
            y[i] = random.nextInt(10);
        }
        Architecture mlp = Architectures.of(new ModelSpec(ModelSpec.MLP, List.of(512, 512), null),
                new long[] {784}, 10);
        try (NDManager manager = NDManager.newBaseManager(device);
                DeviceData data = DeviceData.of(manager, new Split(x, y, new long[] {784}));
                Weights weights = mlp.initialize(manager, 1);
                Sgd sgd = new Sgd(weights.parameters(), manager, 0.01, 0.9, 0);
                HessianVectorProducts h = new HessianVectorProducts(weights, data, batch)) {
            Map<String, NDArray> v = new LinkedHashMap<>();
            weights.parameterMap().forEach((name, p) -> v.put(name, p.onesLike()));
            for (int round = 0; round <= rounds; round++) {
                double step = seconds(() -> step(weights, data, sgd));
                double product = seconds(() -> h.apply(List.of(v), manager).forEach(m -> m.values()
                        .forEach(NDArray::close)));
                double ten = seconds(() -> h.apply(java.util.Collections.nCopies(10, v), manager).forEach(m -> m
                        .values().forEach(NDArray::close)));
                if (round > 0) { // round 0 warms up
                    System.out.printf("{\"bench\":\"hessian\",\"round\":%d,\"device\":\"%s\",\"batch\":%d,"
                            + "\"trainStepSeconds\":%.4f,\"productSeconds\":%.4f,\"productOverStep\":%.2f,"
                            + "\"tenProductsSeconds\":%.4f,\"perProductInTen\":%.4f}%n", round, device, batch, step,
                            product, product / step, ten, ten / 10);
                }
            }
        }
    }

    private static void step(Weights weights, DeviceData data, Sgd sgd) {
        try (NoGrad noGrad = NoGrad.enter(); NDManager scope = weights.manager().newSubManager()) {
            NDArray xs = data.x().duplicate();
            xs.attach(scope);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray loss = MinibatchLoop.loss(weights.architecture().forward(weights, xs, Mode.TRAIN),
                        data.labels());
                collector.backward(loss);
                loss.getFloat();
            }
            sgd.step();
        }
    }

    private static double seconds(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }
}
