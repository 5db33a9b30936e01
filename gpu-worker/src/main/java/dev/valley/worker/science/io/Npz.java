package dev.valley.worker.science.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npz}: a zip of {@code .npy} files (format 1.0: magic, version, a little-endian header length,
 * a Python-literal header padded to 64 bytes, then the data). Valley writes float64 arrays, which
 * {@code numpy.load} reads as they are.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npz() {
    }

    /** A float64 array of any shape, its values in C (row-major) order. */
    public record Array(double[] values, int... shape) {
    }

    public static byte[] write(Map<String, double[]> arrays) {
        Map<String, Array> shaped = new java.util.LinkedHashMap<>();
        arrays.forEach((name, values) -> shaped.put(name, new Array(values, values.length)));
        return writeArrays(shaped);
    }

    public static byte[] writeArrays(Map<String, Array> arrays) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, Array> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npy(e.getValue().values(), e.getValue().shape()));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    static byte[] npy(double[] values, int... shape) {
        String dims = shape.length == 1 ? shape[0] + ","
                : java.util.Arrays.stream(shape).mapToObj(Integer::toString)
                        .collect(java.util.stream.Collectors.joining(", "));
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 2 + header.length() + 8 * values.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        for (double v : values) {
            buffer.putDouble(v);
        }
        return buffer.array();
    }
}
