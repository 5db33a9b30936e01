package dev.valley.worker.science.data;

import static dev.valley.model.Json.JSON;

import dev.valley.model.dataset.DatasetFormat;
import dev.valley.model.dataset.DatasetManifest;
import dev.valley.model.dataset.DatasetReader;
import dev.valley.model.dataset.UploadLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Loads a dataset uploaded through the API: its manifest, then its files (each checked against the SHA-256 the
 * upload recorded) read with the same {@link DatasetReader} that checked them, and the test split held out by the
 * manifest's seeded permutation when none was uploaded.
 */
public final class UploadedDatasets {

    /** Where the files are: object storage, in the worker. */
    public interface Source {
        byte[] read(String key);

        /** Writes the object to {@code target}, refusing it unless its SHA-256 is {@code sha256}. */
        void download(String key, String sha256, Path target);
    }


    private UploadedDatasets() {
    }

    public static DatasetSplits load(UUID id, Source source) {
        DatasetManifest manifest = JSON.readValue(source.read(DatasetManifest.key(id, DatasetManifest.MANIFEST)),
                DatasetManifest.class);
        DatasetFormat format = manifest.datasetFormat();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("valley-dataset-" + id);
            Map<String, Path> parts = new LinkedHashMap<>();
            for (DatasetManifest.StoredFile file : manifest.files()) {
                Path target = dir.resolve(file.part());
                source.download(file.key(), file.sha256(), target);
                parts.put(file.part(), target);
            }
            Split train = split(format, parts, false, manifest.labelColumn());
            Split test = split(format, parts, true, manifest.labelColumn());
            if (test == null) {
                int[] order = DatasetSplits.permutation(train.size(), manifest.splitSeed());
                test = train.select(Arrays.copyOfRange(order, 0, manifest.test()));
                train = train.select(Arrays.copyOfRange(order, manifest.test(), order.length));
            }
            return new DatasetSplits(id.toString(), train, test, manifest.classes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary folder left behind harms nothing
                }
            }
        }
    }

    /** One split of a dataset's files, held on the host; null for a test split the files do not have. */
    static Split split(DatasetFormat format, Map<String, Path> parts, boolean test, String labelColumn) {
        Examples examples = new Examples();
        // The files are the ones the api-service checked within its limits (their SHA-256 says so).
        DatasetReader.Read read = DatasetReader.read(format, parts, test, labelColumn, UploadLimits.NONE, examples);
        return read == null ? null : new Split(examples.features(), examples.labels(), read.sampleShape());
    }

    /** Every example's features and label, appended. */
    private static final class Examples implements DatasetReader.Sink {
        private float[] values = new float[1 << 16];
        private int[] labels = new int[1 << 10];
        private int size;
        private int count;

        @Override
        public void expect(int count, int valuesPerExample) {
            values = new float[Math.multiplyExact(count, valuesPerExample)];
            labels = new int[count];
        }

        @Override
        public void example(float[] features, int label) {
            if (size + features.length > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + features.length));
            }
            System.arraycopy(features, 0, values, size, features.length);
            size += features.length;
            if (count == labels.length) {
                labels = Arrays.copyOf(labels, labels.length * 2);
            }
            labels[count++] = label;
        }

        float[] features() {
            return size == values.length ? values : Arrays.copyOf(values, size);
        }

        int[] labels() {
            return count == labels.length ? labels : Arrays.copyOf(labels, count);
        }
    }
}
