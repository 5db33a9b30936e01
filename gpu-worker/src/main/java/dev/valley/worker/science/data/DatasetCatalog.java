package dev.valley.worker.science.data;

import dev.valley.model.dataset.DatasetManifest;
import dev.valley.model.job.Datasets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads datasets by name (built-in) or id (uploaded), each once per process, and reads uploaded TorchScript
 * modules, the other input every run opens with. */
public final class DatasetCatalog {
    private final Path fashionMnistDir;
    private final UploadedDatasets.Source uploads;
    private final Map<String, DatasetSplits> loaded = new ConcurrentHashMap<>();

    /** Built-in datasets only. */
    public DatasetCatalog(Path fashionMnistDir) {
        this(fashionMnistDir, null);
    }

    /** {@code uploads}: where uploaded datasets are stored. */
    public DatasetCatalog(Path fashionMnistDir, UploadedDatasets.Source uploads) {
        this.fashionMnistDir = fashionMnistDir;
        this.uploads = uploads;
    }

    /** The archive of the TorchScript module uploaded as {@code id} ({@code models/{id}/module.pt}). */
    public byte[] module(java.util.UUID id) {
        if (uploads == null) {
            throw new IllegalArgumentException("module " + id + " is an upload, and this catalog has no storage to"
                    + " read it from");
        }
        return uploads.read("models/" + id + "/module.pt");
    }

    /** Spirals are generated from {@code seed}; the others ignore it (regression-1d has a seed of its own). An
     * upload never changes, so it is kept. */
    public DatasetSplits load(String name, long seed) {
        if (DatasetManifest.isUploaded(name)) {
            if (uploads == null) {
                throw new IllegalArgumentException("dataset " + name + " is an upload, and this catalog has no"
                        + " storage to read it from");
            }
            return loaded.computeIfAbsent(name.toLowerCase(java.util.Locale.ROOT),
                    n -> UploadedDatasets.load(java.util.UUID.fromString(n), uploads));
        }
        return switch (name) {
            case Datasets.FASHION_MNIST -> loaded.computeIfAbsent(name, n -> FashionMnist.load(fashionMnistDir));
            case Datasets.SPIRALS -> loaded.computeIfAbsent(name + ":" + seed, n -> Spirals.generate(seed));
            case Datasets.REGRESSION_1D -> loaded.computeIfAbsent(name, n -> RegressionToy.generate());
            default -> throw new IllegalArgumentException("unknown dataset " + name);
        };
    }
}
