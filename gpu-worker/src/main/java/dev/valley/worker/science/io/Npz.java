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
 * a Python-literal header padded to 64 bytes, then the data). Valley writes 1-D float64 arrays, which
 * {@code numpy.load} reads as they are.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

    private Npz() {
    }

    public static byte[] write(Map<String, double[]> arrays) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, double[]> e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(npy(e.getValue()));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    static byte[] npy(double[] values) {
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + values.length + ",), }";
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
