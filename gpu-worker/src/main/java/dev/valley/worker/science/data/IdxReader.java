package dev.valley.worker.science.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-style IDX files (gzipped or not): unsigned-byte images scaled to [0, 1] and unsigned-byte labels.
 * Format: big-endian magic 0x00 0x00 type ndim, then ndim int32 sizes, then the data.
 */
public final class IdxReader {
    private static final int UNSIGNED_BYTE = 0x08;

    private IdxReader() {
    }

    public record Images(float[] pixels, int count, int rows, int cols) {
    }

    public static Images readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file, 3);
            int count = dims[0];
            int rows = dims[1];
            int cols = dims[2];
            byte[] raw = readFully(in, Math.multiplyExact(count, rows * cols), file);
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xff) / 255f;
            }
            return new Images(pixels, count, rows, cols);
        }
    }

    public static int[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int[] dims = header(in, file, 1);
            byte[] raw = readFully(in, dims[0], file);
            int[] labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in);
    }

    private static int[] header(DataInputStream in, Path file, int expectedDims) throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dims != expectedDims) {
            throw new IOException(String.format("%s: not an IDX file of unsigned bytes with %d dimensions (magic 0x%08x)",
                    file, expectedDims, magic));
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            sizes[i] = in.readInt();
            if (sizes[i] <= 0) {
                throw new IOException(file + ": dimension " + i + " is " + sizes[i]);
            }
        }
        return sizes;
    }

    private static byte[] readFully(DataInputStream in, int n, Path file) throws IOException {
        byte[] data = new byte[n];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated, expected " + n + " data bytes", e);
        }
        return data;
    }
}
