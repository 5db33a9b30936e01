package dev.valley.standalone;

import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.s3.S3Client;

/** Files the upload tests send, and what the api-service's bucket holds. */
final class TestFiles {
    private TestFiles() {
    }

    static byte[] resource(String name) throws Exception {
        try (var in = TestFiles.class.getResourceAsStream("/" + name)) {
            return in.readAllBytes();
        }
    }

    /** An IDX file: the magic number, each dimension, then the data, big-endian as the format has it. */
    static byte[] idx(int magic, int[] sizes, byte[] data) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * sizes.length + data.length);
        b.putInt(magic);
        for (int s : sizes) {
            b.putInt(s);
        }
        b.put(data);
        return b.array();
    }

    /** An .npy array as NumPy wrote it or Valley does: float64, little-endian, C order; its shape and values. */
    record NpyArray(int[] shape, double[] values) {
        /** Row {@code i} of a 2-D array. */
        double[] row(int i) {
            return java.util.Arrays.copyOfRange(values, i * shape[1], (i + 1) * shape[1]);
        }
    }

    /** The arrays of an .npz, by name without ".npy"; read independently of the worker's writer. */
    static java.util.Map<String, NpyArray> npz(byte[] file) throws Exception {
        java.util.Map<String, NpyArray> arrays = new java.util.LinkedHashMap<>();
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(file))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                byte[] npy = zip.readAllBytes();
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(npy).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                int headerLength = b.getShort(8) & 0xffff;
                String header = new String(npy, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
                if (!header.contains("'descr': '<f8'") || !header.contains("'fortran_order': False")) {
                    throw new IllegalArgumentException(e.getName() + " is no C-order float64 array: " + header);
                }
                String dims = header.replaceAll("(?s).*'shape': \\(([^)]*)\\).*", "$1").trim();
                int[] shape = java.util.Arrays.stream(dims.split(",")).map(String::trim).filter(d -> !d.isEmpty())
                        .mapToInt(Integer::parseInt).toArray();
                double[] values = new double[(npy.length - 10 - headerLength) / 8];
                b.position(10 + headerLength);
                b.asDoubleBuffer().get(values);
                arrays.put(e.getName().replaceFirst("\\.npy$", ""), new NpyArray(shape, values));
            }
        }
        return arrays;
    }

    /** The keys of the objects under {@code prefix} in the bucket of {@code api}. */
    static Set<String> storedUnder(ConfigurableApplicationContext api, String prefix) {
        S3Client s3 = api.getBean(S3Client.class);
        String bucket = api.getEnvironment().getProperty("valley.storage.bucket");
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(o -> o.key()).collect(Collectors.toSet());
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            return Set.of();
        }
    }
}
