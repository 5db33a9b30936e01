package dev.valley.model.dataset;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The formats a dataset may be uploaded in, and the files (parts) each takes. The test parts are optional: without
 * them a seeded fraction of the training examples is held out as the test split.
 */
public enum DatasetFormat {
    /** MNIST-style IDX files, gzipped or not: unsigned-byte images [N, rows, cols] scaled to [0, 1], labels [N]. */
    IDX(List.of("trainImages", "trainLabels"), List.of("testImages", "testLabels")),
    /** A header row, one example per row: numeric feature columns and an integer label column. */
    CSV(List.of("train"), List.of("test")),
    /** One .npz holding {@code x} and {@code y}, and optionally {@code x_test} and {@code y_test}. */
    NPZ(List.of("file"), List.of()),
    /** Separate .npy files {@code x} and {@code y} (and {@code xTest}, {@code yTest}). */
    NPY(List.of("x", "y"), List.of("xTest", "yTest"));

    private final List<String> trainParts;
    private final List<String> testParts;

    DatasetFormat(List<String> trainParts, List<String> testParts) {
        this.trainParts = trainParts;
        this.testParts = testParts;
    }

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<DatasetFormat> fromWireName(String name) {
        return Arrays.stream(values()).filter(f -> f.wireName().equals(name)).findFirst();
    }

    public static String knownNames() {
        return String.join(", ", Arrays.stream(values()).map(DatasetFormat::wireName).toList());
    }

    public List<String> trainParts() {
        return trainParts;
    }

    public List<String> testParts() {
        return testParts;
    }

    public List<String> allParts() {
        return java.util.stream.Stream.concat(trainParts.stream(), testParts.stream()).toList();
    }
}
