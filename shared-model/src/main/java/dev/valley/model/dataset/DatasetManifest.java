package dev.valley.model.dataset;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What an uploaded dataset is, as stored beside its files ({@code datasets/{id}/manifest.json}) and in the api's
 * database. {@code testFraction} and {@code splitSeed} are set when the test split is held out of the training
 * examples (the first {@code test} of a seeded permutation); otherwise the test split was uploaded.
 */
public record DatasetManifest(UUID id, String name, String format, int classes, List<Long> sampleShape, int train,
        int test, Double testFraction, Long splitSeed, String labelColumn, List<StoredFile> files, Instant createdAt) {

    /** One uploaded file as stored: its part name, object key, size in bytes and SHA-256 (hex). */
    public record StoredFile(String part, String key, long size, String sha256) {
    }

    public static final String MANIFEST = "manifest.json";
    private static final java.util.regex.Pattern UPLOADED =
            java.util.regex.Pattern.compile(dev.valley.model.job.Datasets.UPLOADED);

    public static String prefix(UUID id) {
        return "datasets/" + id + "/";
    }

    public static String key(UUID id, String part) {
        return prefix(id) + part;
    }

    /** Whether a spec's {@code dataset} names an upload (an id) rather than a built-in dataset. */
    public static boolean isUploaded(String dataset) {
        return dataset != null && UPLOADED.matcher(dataset).matches();
    }

    /** The same manifest, describing {@code stored} as its files. */
    public DatasetManifest withFiles(List<StoredFile> stored) {
        return new DatasetManifest(id, name, format, classes, sampleShape, train, test, testFraction, splitSeed,
                labelColumn, List.copyOf(stored), createdAt);
    }

    public DatasetFormat datasetFormat() {
        return DatasetFormat.fromWireName(format).orElseThrow();
    }
}
