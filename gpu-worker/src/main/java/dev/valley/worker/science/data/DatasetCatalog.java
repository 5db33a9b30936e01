package dev.valley.worker.science.data;

import dev.valley.model.job.Datasets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads built-in datasets by name, each once per process. */
public final class DatasetCatalog {
    private final Path fashionMnistDir;
    private final Map<String, DatasetSplits> loaded = new ConcurrentHashMap<>();

    public DatasetCatalog(Path fashionMnistDir) {
        this.fashionMnistDir = fashionMnistDir;
    }

    /** Spirals are generated from {@code seed}; Fashion-MNIST ignores it. */
    public DatasetSplits load(String name, long seed) {
        return switch (name) {
            case Datasets.FASHION_MNIST -> loaded.computeIfAbsent(name, n -> FashionMnist.load(fashionMnistDir));
            case Datasets.SPIRALS -> loaded.computeIfAbsent(name + ":" + seed, n -> Spirals.generate(seed));
            default -> throw new IllegalArgumentException("unknown dataset " + name);
        };
    }
}
