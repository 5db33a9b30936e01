package dev.valley.worker.science.data;

import dev.valley.model.dataset.DatasetFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Fashion-MNIST from the IDX files of Debian's {@code dataset-fashion-mnist} package (or any folder like it). */
public final class FashionMnist {
    public static final Path DEBIAN_PACKAGE_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final int CLASSES = 10;

    private FashionMnist() {
    }

    public static DatasetSplits load(Path dir) {
        Path trainImages = dir.resolve("train-images-idx3-ubyte.gz");
        if (!Files.isReadable(trainImages)) {
            throw new MissingDatasetException("Fashion-MNIST not found in " + dir
                    + ": install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist)"
                    + " or set valley.worker.datasets.fashion-mnist to a folder holding its four IDX files");
        }
        // Read as an uploaded IDX dataset is, by the same reader.
        Map<String, Path> parts = Map.of("trainImages", trainImages,
                "trainLabels", dir.resolve("train-labels-idx1-ubyte.gz"),
                "testImages", dir.resolve("t10k-images-idx3-ubyte.gz"),
                "testLabels", dir.resolve("t10k-labels-idx1-ubyte.gz"));
        return new DatasetSplits("fashion-mnist", UploadedDatasets.split(DatasetFormat.IDX, parts, false, null),
                UploadedDatasets.split(DatasetFormat.IDX, parts, true, null), CLASSES);
    }

    /** The dataset is absent: an input problem of this machine, not a bug. */
    public static final class MissingDatasetException extends RuntimeException {
        public MissingDatasetException(String message) {
            super(message);
        }
    }
}
