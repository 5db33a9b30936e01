package dev.valley.worker.science.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        try {
            return new DatasetSplits("fashion-mnist",
                    split(trainImages, dir.resolve("train-labels-idx1-ubyte.gz")),
                    split(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz")),
                    CLASSES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Split split(Path images, Path labels) throws IOException {
        IdxReader.Images x = IdxReader.readImages(images);
        int[] y = IdxReader.readLabels(labels);
        if (y.length != x.count()) {
            throw new IOException(images + " holds " + x.count() + " images but " + labels + " " + y.length + " labels");
        }
        return new Split(x.pixels(), y, new long[] {1, x.rows(), x.cols()});
    }

    /** The dataset is absent: an input problem of this machine, not a bug. */
    public static final class MissingDatasetException extends RuntimeException {
        public MissingDatasetException(String message) {
            super(message);
        }
    }
}
