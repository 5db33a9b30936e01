package dev.valley.model.dataset;

import dev.valley.model.upload.InvalidUploadException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each format read back to the values its writer put in: NPY and NPZ files written by numpy itself
 * ({@code src/test/resources/datasets/make_fixtures.py}), IDX and CSV files written here byte by byte after their
 * specifications. Broken files are refused with a reason that names the file and the place.
 */
class DatasetReaderTest {
    @TempDir
    Path dir;

    /** Keeps copies of what the reader streams. */
    private static final class Examples implements DatasetReader.Sink {
        final List<float[]> seen = new ArrayList<>();
        final List<Integer> labels = new ArrayList<>();

        @Override
        public void example(float[] features, int label) {
            seen.add(features.clone());
            labels.add(label);
        }
    }

    /** Generous limits, as the api-service's defaults are; the tests of the limits set their own. */
    private static final UploadLimits LIMITS = new UploadLimits(8L << 30, 100, 1 << 20);

    @Test
    void npzHoldsXAndYAsNumpyWroteThem() throws Exception {
        Examples examples = new Examples();
        DatasetReader.Read read = DatasetReader.read(DatasetFormat.NPZ, Map.of("file", fixture("tiny.npz")), false,
                null, LIMITS, examples);
        assertThat(read.count()).isEqualTo(6);
        assertThat(read.sampleShape()).containsExactly(2, 3);
        assertThat(examples.labels).containsExactly(0, 1, 2, 0, 1, 2);
        assertThat(read.classes()).isEqualTo(3);
        // x = arange(36) / 10 as float32, six examples of six values.
        for (int n = 0; n < 6; n++) {
            for (int i = 0; i < 6; i++) {
                assertThat(examples.seen.get(n)[i]).isEqualTo((float) ((n * 6 + i) / 10.0));
            }
        }
        assertThat(DatasetReader.read(DatasetFormat.NPZ, Map.of("file", fixture("tiny.npz")), true, null,
                LIMITS, DatasetReader.DISCARD)).as("no x_test, y_test").isNull();
    }

    @Test
    void compressedNpzWithATestSplit() throws Exception {
        Examples examples = new Examples();
        DatasetReader.Read test = DatasetReader.read(DatasetFormat.NPZ, Map.of("file",
                fixture("tiny-with-test.npz")), true, null, LIMITS, examples);
        assertThat(test.count()).isEqualTo(2);
        assertThat(examples.labels).containsExactly(2, 1);
        assertThat(examples.seen.get(1)[0]).isEqualTo((float) (6 / 10.0) + 1f);
    }

    @Test
    void npyPairsOfBytesAndDoubles() throws Exception {
        Examples bytes = new Examples();
        DatasetReader.Read read = DatasetReader.read(DatasetFormat.NPY, Map.of("x", fixture("x-u8.npy"), "y",
                fixture("y-i32.npy")), false, null, LIMITS, bytes);
        assertThat(read.sampleShape()).containsExactly(2, 2);
        assertThat(bytes.labels).containsExactly(1, 0, 1, 0);
        // uint8 features are pixels, scaled to [0, 1] as IDX images are: 17·k / 255.
        assertThat(bytes.seen.get(3))
                .containsExactly(12 * 17 / 255f, 13 * 17 / 255f, 14 * 17 / 255f, 15 * 17 / 255f);

        Examples doubles = new Examples();
        DatasetReader.read(DatasetFormat.NPY, Map.of("x", fixture("x-f64.npy"), "y", fixture("y-u8.npy")), false,
                null, LIMITS, doubles);
        assertThat(doubles.seen.get(0)).containsExactly(0.5f, -1.25f);
        assertThat(doubles.seen.get(1)).containsExactly(3.0f, 1e-3f);
    }

    @Test
    void idxGzippedOrNot() throws Exception {
        byte[] images = idx(0x0803, new int[] {2, 2, 3}, new byte[] {0, 51, 102, (byte) 153, (byte) 204,
                (byte) 255, 1, 2, 3, 4, 5, 6});
        byte[] labels = idx(0x0801, new int[] {2}, new byte[] {7, 3});
        Path x = write("train-images.gz", gzip(images));
        Path y = write("train-labels", labels);
        Examples examples = new Examples();
        DatasetReader.Read read = DatasetReader.read(DatasetFormat.IDX, Map.of("trainImages", x, "trainLabels", y),
                false, null, LIMITS, examples);
        assertThat(read.sampleShape()).containsExactly(1, 2, 3);
        assertThat(examples.labels).containsExactly(7, 3);
        assertThat(read.classes()).isEqualTo(8);
        assertThat(examples.seen.get(0)).containsExactly(0f, 0.2f, 0.4f, 0.6f, 0.8f, 1f);
        assertThat(examples.seen.get(1)[5]).isEqualTo(6 / 255f);
    }

    @Test
    void csvWithItsLabelColumnAnywhere() throws Exception {
        Path csv = write("train.csv", "a,klass,b\n0.5,1,2\n\"-3\",0,1e-2\n\n".getBytes());
        Examples examples = new Examples();
        DatasetReader.Read read = DatasetReader.read(DatasetFormat.CSV, Map.of("train", csv), false, "klass",
                LIMITS, examples);
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.sampleShape()).containsExactly(2);
        assertThat(examples.labels).containsExactly(1, 0);
        assertThat(examples.seen.get(1)).containsExactly(-3f, 0.01f);
    }

    @Test
    void brokenFilesAreRefusedWithTheirReason() throws Exception {
        byte[] images = idx(0x0803, new int[] {2, 2, 2}, new byte[8]);
        byte[] labels = idx(0x0801, new int[] {2}, new byte[] {0, 1});
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", Arrays.copyOf(images, images.length - 3)),
                "trainLabels", write("l", labels)), "trainImages is truncated: its header declares 2 images of 2 x 2"
                + " (8 bytes of data) and the file holds 5");
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", images), "trainLabels",
                write("l", idx(0x0801, new int[] {3}, new byte[] {0, 1, 1}))),
                "trainImages holds 2 images but trainLabels holds 3 labels");
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", idx(0x0D03, new int[] {2, 2, 2},
                new byte[32])), "trainLabels", write("l", labels)), "trainImages is not an IDX file of unsigned"
                + " bytes with 3 dimensions (magic number 0x00000d03; expected 0x00000803)");
        byte[] longer = Arrays.copyOf(images, images.length + 1);
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", longer), "trainLabels", write("l", labels)),
                "trainImages goes on past the end its header declares");
        byte[] gz = gzip(images);
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", Arrays.copyOf(gz, gz.length - 10)),
                "trainLabels", write("l", labels)), "trainImages is truncated: its header declares 2 images and it"
                + " ends in image 0");

        assertRefused(DatasetFormat.CSV, Map.of("train", write("c", "x,label\n1,0\nNaN,1\n".getBytes())),
                "train row 3, column 'x' is NaN; features must be finite");
        assertRefused(DatasetFormat.CSV, Map.of("train", write("c", "x,label\n1,0\n2\n".getBytes())),
                "train row 3 has 1 fields; the header has 2");
        assertRefused(DatasetFormat.CSV, Map.of("train", write("c", "x,label\n1,cat\n".getBytes())),
                "train row 2, column 'label': 'cat' is not a class index (a non-negative integer)");
        assertRefused(DatasetFormat.CSV, Map.of("train", write("c", "x,y\n1,0\n".getBytes())),
                "train has no column 'label' (labelColumn) among its 2 columns: [x, y]");

        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-nan.npy"), "y", fixture("y-u8.npy")),
                "x: example 1 has NaN at flat index 0; features must be finite");
        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-fortran.npy"), "y", fixture("y-u8.npy")),
                "x is in Fortran order; save it in C order (np.ascontiguousarray)");
        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-f16.npy"), "y", fixture("y-u8.npy")),
                "x has dtype '<f2'; floats are read as float32 or float64");
        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-f64.npy"), "y", fixture("y-float.npy")),
                "y has dtype '<f4'; labels must be integers (class indices)");
        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-f64.npy"), "y", fixture("y-negative.npy")),
                "y[1] is -1; labels must be class indices in [0, 100000)");
        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-u8.npy"), "y", fixture("y-u8.npy")),
                "x holds 4 examples but y holds 2 labels");
        assertRefused(DatasetFormat.NPY, Map.of("x", write("x", "not numpy".getBytes()), "y", fixture("y-u8.npy")),
                "x is not an NPY file (it does not start with \\x93NUMPY)");
        byte[] npy = Files.readAllBytes(fixture("x-f64.npy"));
        assertRefused(DatasetFormat.NPY, Map.of("x", write("x", Arrays.copyOf(npy, npy.length - 4)), "y",
                fixture("y-u8.npy")), "x is truncated: its header declares 2 examples of 2 values (32 bytes of"
                + " data) and the file holds 28");
        assertRefused(DatasetFormat.NPZ, Map.of("file", fixture("no-y.npz")), "file (NPZ) has no array 'y'; it"
                + " holds [x.npy]");
        assertRefused(DatasetFormat.NPZ, Map.of("file", write("z", "PK but not really".getBytes())),
                "file is not an NPZ (zip) archive");
    }

    /**
     * What a header claims is checked against the bytes there are before anything is allocated for it, and
     * compressed input against the limits as it is decompressed; shapes that are no shape are refused with the
     * reason. Each case would otherwise allocate gigabytes or fail without one.
     */
    @Test
    void headersThatClaimMoreThanTheFileHoldsAndCompressionBombsAreRefused() throws Exception {
        byte[] images = idx(0x0803, new int[] {2, 2, 2}, new byte[8]);
        byte[] labels = idx(0x0801, new int[] {2}, new byte[] {0, 1});
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", images), "trainLabels",
                write("l", idx(0x0801, new int[] {Integer.MAX_VALUE}, new byte[2]))),
                "trainLabels is truncated: its header declares 2147483647 labels (2147483647 bytes of data) and the"
                        + " file holds 2");
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", idx(0x0803, new int[] {2, 65536, 65536},
                new byte[8])), "trainLabels", write("l", labels)), "trainImages has images of 65536 x 65536: more"
                + " than 4194304 values per example");
        // Gzipped, the claim cannot be checked against a size: the buffer grows only as far as the bytes go.
        assertRefused(DatasetFormat.IDX, Map.of("trainImages", write("i", gzip(idx(0x0803,
                new int[] {2, 2000, 2000}, new byte[8]))), "trainLabels", write("l", labels)),
                "trainImages is truncated: its header declares 2 images and it ends in image 0");
        assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-u8.npy"), "y", write("y", npy("|u1",
                "(2147483639,)", new byte[2]))), "y is truncated: its header declares 2147483639 labels");
        for (String shape : new String[] {"(-5,)", "('a',)", "(99999999999999999999,)"}) {
            assertRefused(DatasetFormat.NPY, Map.of("x", fixture("x-u8.npy"), "y", write("y", npy("|u1", shape,
                    new byte[2]))), "y has shape " + shape.substring(0, shape.length() - 1));
        }
        assertRefused(DatasetFormat.NPY, Map.of("x", write("x", npy("<f4", "(4, 4294967296, 4294967296)",
                new byte[8])), "y", fixture("y-i32.npy")), "x has shape [4, 4294967296, 4294967296]: more than 2^63"
                + " values per example");

        byte[] zeros = gzip(new byte[64 << 20]);
        assertRefused(DatasetFormat.CSV, Map.of("train", write("c", zeros)), "train line 1 is longer than 1048576"
                + " characters (valley.api.max-csv-line)");
        // Valid rows, a thousand times smaller gzipped than plain: past the grace, the ratio refuses them.
        byte[] rows = gzip(("x,label\n" + "0,1\n".repeat(8 << 20)).getBytes());
        assertThatThrownBy(() -> DatasetReader.read(DatasetFormat.CSV, Map.of("train", write("c", rows)), false,
                null, LIMITS, DatasetReader.DISCARD)).isInstanceOf(InvalidUploadException.class)
                .hasMessageContaining("train decompresses to more than 100.0 times its compressed size")
                .hasMessageContaining("refused as a decompression bomb");
        // Under a ratio that lets them through, the size limit.
        assertThatThrownBy(() -> DatasetReader.read(DatasetFormat.CSV, Map.of("train", write("c", rows)), false,
                null, new UploadLimits(20L << 20, 1e6, 1 << 20), DatasetReader.DISCARD))
                .isInstanceOf(InvalidUploadException.class)
                .hasMessageStartingWith("train decompresses to more than 20971520 bytes");
        // Both within bounds: the same file is read.
        DatasetReader.Read read = DatasetReader.read(DatasetFormat.CSV, Map.of("train", write("c", rows)), false,
                null, new UploadLimits(64L << 20, 1e6, 1 << 20), DatasetReader.DISCARD);
        assertThat(read.count()).isEqualTo(8 << 20);
        assertThat(read.classes()).isEqualTo(2);
    }

    /** An NPY version 1.0 file: magic, version, header length, the header padded to 64 bytes, the data. */
    private static byte[] npy(String descr, String shape, byte[] data) throws IOException {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        header = header + " ".repeat((64 - (10 + header.length() + 1) % 64) % 64) + "\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(),
                (byte) (header.length() >> 8)});
        bytes.write(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        bytes.write(data);
        return bytes.toByteArray();
    }

    private static void assertRefused(DatasetFormat format, Map<String, Path> parts, String reason) {
        assertThatThrownBy(() -> DatasetReader.read(format, parts, false, null, LIMITS, DatasetReader.DISCARD))
                .isInstanceOf(InvalidUploadException.class).hasMessageStartingWith(reason);
    }

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(DatasetReaderTest.class.getResource("/datasets/" + name).toURI());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, name, "");
        Files.write(file, bytes);
        return file;
    }

    /** An IDX file: magic (type and dimensions), big-endian sizes, data. */
    static byte[] idx(int magic, int[] sizes, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int size : sizes) {
            out.writeInt(size);
        }
        out.write(data);
        return bytes.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}
