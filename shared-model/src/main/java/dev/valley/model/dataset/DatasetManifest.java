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

    public static String prefix(UUID id) {
        return "datasets/" + id + "/";
    }

    public static String key(UUID id, String part) {
        return prefix(id) + part;
    }

    /** Whether a spec's {@code dataset} names an upload (an id) rather than a built-in dataset. */
    public static boolean isUploaded(String dataset) {
        return dataset != null && dataset.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    }

    public DatasetFormat datasetFormat() {
        return DatasetFormat.fromWireName(format).orElseThrow();
    }
}
