package dev.valley.worker.science.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.valley.model.job.ModelSpec;
import dev.valley.worker.science.data.DatasetSplits;
import dev.valley.worker.science.data.DeviceData;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.data.Split;
import dev.valley.worker.science.model.Architecture;
import dev.valley.worker.science.model.Architectures;
import dev.valley.worker.science.model.TorchScriptNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A network on its data, as {@code ./valley bench --arch} names it: {@code mlp} (784-512-512-10), {@code vgg}
 * (channels 16, 32), {@code preresnet20} and {@code preresnet20-plain} (no skips) on Fashion-MNIST (1×28×28); the
 * same with {@code @32} on 3×32×32 images as an upload would bring them (random values: a step's time does not
 * depend on them); {@code torchscript=ARCHIVE} for a TorchScript module on Fashion-MNIST. {@code all}: every built-in
 * case. The conv nets train on a subset by default so that a round stays under a minute on two cores.
 */
record BenchCase(String label, ModelSpec model, boolean images32, Path module, int train, int test,
        double flopsPerSample) {
    static final int BATCH = 128;
    private static final List<String> ALL = List.of("mlp", "vgg", "preresnet20", "preresnet20-plain", "vgg@32",
            "preresnet20@32", "preresnet20-plain@32");

    /** Cases by comma-separated name. */
    static List<BenchCase> named(String names) {
        List<BenchCase> cases = new ArrayList<>();
        for (String name : names.equals("all") ? ALL : List.of(names.split(","))) {
            cases.add(of(name.strip()));
        }
        return cases;
    }

    static BenchCase of(String name) {
        if (name.startsWith("torchscript=")) {
            Path module = Path.of(name.substring("torchscript=".length()));
            return new BenchCase("torchscript " + module.getFileName(), ModelSpec.torchscript(null), false, module,
                    60_000, 10_000, 0);
        }
        boolean images32 = name.endsWith("@32");
        String base = images32 ? name.substring(0, name.length() - 3) : name;
        String on = images32 ? " on 3x32x32" : " on Fashion-MNIST";
        return switch (base) {
            case "mlp" -> {
                if (images32) {
                    throw new IllegalArgumentException("mlp runs on Fashion-MNIST only");
                }
                yield new BenchCase("mlp 784-512-512-10" + on, new ModelSpec(ModelSpec.MLP, List.of(512, 512), null),
                        false, null, 60_000, 10_000, 6.0 * (784 * 512 + 512 * 512 + 512 * 10));
            }
            case "vgg" -> new BenchCase("vgg 16-32" + on, new ModelSpec(ModelSpec.VGG, null, List.of(16, 32)),
                    images32, null, 10_000, 2_000, 0);
            case "preresnet20", "preresnet20-plain" -> {
                boolean skips = base.equals("preresnet20");
                yield new BenchCase("preresnet-20" + (skips ? "" : " without skips") + on, new ModelSpec(
                        ModelSpec.PRERESNET, null, null, 20, skips), images32, null, 2_560, 1_000, 0);
            }
            default -> throw new IllegalArgumentException("unknown case " + name + ": mlp, vgg, preresnet20, "
                    + "preresnet20-plain, each but mlp with @32, torchscript=ARCHIVE, or all");
        };
    }

    /** The same network on other subsets; null keeps a size as it is. */
    BenchCase withSizes(Integer train, Integer test) {
        return new BenchCase(label, model, images32, module, train == null ? this.train : train,
                test == null ? this.test : test, flopsPerSample);
    }

    /** The network and its data on the device; closing frees them. */
    record Data(Architecture architecture, DeviceData train, DeviceData test) implements AutoCloseable {
        @Override
        public void close() {
            train.close();
            test.close();
            if (architecture instanceof TorchScriptNetwork network) {
                network.close();
            }
        }
    }

    Data load(NDManager manager) {
        DatasetSplits data = images32 ? randomImages() : FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR)
                .withTrainSubset(train < 60_000 ? train : null, 0).withTestSubset(test < 10_000 ? test : null, 0);
        Architecture architecture;
        if (module != null) {
            try {
                architecture = TorchScriptNetwork.load(Files.readAllBytes(module), manager, Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else {
            architecture = Architectures.of(model, data.sampleShape(), data.outputs());
        }
        return new Data(architecture, DeviceData.of(manager, data.train()), DeviceData.of(manager, data.test()));
    }

    private DatasetSplits randomImages() {
        Random random = new Random(1);
        long[] shape = {3, 32, 32};
        return new DatasetSplits("random 3x32x32", randomSplit(random, train, shape), randomSplit(random, test, shape),
                10);
    }

    private static Split randomSplit(Random random, int n, long[] shape) {
        float[] x = new float[n * 3 * 32 * 32];
        int[] y = new int[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(10);
        }
        return new Split(x, y, shape);
    }

    /** The same case for {@code tools/bench_pytorch.py}. */
    Map<String, Object> pytorchSpec(Device device, int evaluationBatch) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("arch", model.arch());
        spec.put("hidden", model.hidden());
        spec.put("channels", model.channels());
        spec.put("depth", model.depth());
        spec.put("skips", model.skips());
        spec.put("module", module == null ? null : module.toAbsolutePath().toString());
        spec.put("input", images32 ? List.of(3, 32, 32) : List.of(1, 28, 28));
        spec.put("classes", 10);
        spec.put("data", images32 ? "random" : "fashion-mnist");
        spec.put("folder", FashionMnist.DEBIAN_PACKAGE_DIR.toString());
        spec.put("train", train);
        spec.put("test", test);
        spec.put("batch", BATCH);
        spec.put("evaluationBatch", evaluationBatch);
        spec.put("lr", 0.05);
        spec.put("momentum", 0.9);
        spec.put("weightDecay", 1e-4);
        spec.put("threads", Runtime.getRuntime().availableProcessors());
        spec.put("device", device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu");
        return spec;
    }
}
