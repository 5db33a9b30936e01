package dev.valley.model.dataset;

import dev.valley.model.upload.InvalidUploadException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * One part of an upload as a stream of bytes, read within {@link UploadLimits}: a gzipped file is decompressed, and
 * a compressed stream that grows past its limits is refused as it grows. Nothing here allocates by what a header
 * claims: a plain file's claim is checked against its size first ({@link #expectBytes}), and a compressed one's
 * buffers grow only as bytes arrive ({@link #readClaimed}).
 */
final class UploadInput implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    final String part;
    final DataInputStream data;
    /** The plain file's size, or -1 where the bytes are decompressed and their number is known only at the end. */
    private final long plainSize;

    private UploadInput(String part, DataInputStream data, long plainSize) {
        this.part = part;
        this.data = data;
        this.plainSize = plainSize;
    }

    /** A file, gzipped or not. */
    static UploadInput open(Path file, String part, UploadLimits limits) throws IOException {
        Counting raw = new Counting(Files.newInputStream(file), count -> {
        });
        InputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        if (!gzip) {
            return new UploadInput(part, new DataInputStream(in), Files.size(file));
        }
        InputStream inflated = new Guarded(new GZIPInputStream(in, 1 << 16), part, limits, raw::count);
        return new UploadInput(part, new DataInputStream(new BufferedInputStream(inflated, 1 << 16)), -1);
    }

    /**
     * A zip entry's stream. The archive states its compressed and its decompressed size: an entry whose statement
     * alone breaks the limits is refused before it is read, and one that states less than it holds is refused as it
     * is read, measured against its compressed size.
     */
    static UploadInput inflating(InputStream entry, long compressedSize, long declaredSize, String part,
            UploadLimits limits) {
        long compressed = Math.max(1, compressedSize);
        if (declaredSize > 0) {
            Guarded.check(declaredSize, part, limits, compressed);
        }
        return new UploadInput(part, new DataInputStream(new BufferedInputStream(new Guarded(entry, part, limits,
                () -> compressed), 1 << 16)), -1);
    }

    /**
     * For a plain file: refuses a header whose claim ({@code bytes} after {@code offset}, described as {@code what})
     * is more than the file holds, before anything is allocated for it. Compressed input is checked as it is read.
     */
    void expectBytes(long offset, long bytes, String what) {
        if (plainSize >= 0 && (bytes < 0 || bytes > plainSize - offset)) {
            throw new InvalidUploadException(part + " is truncated: its header declares " + what + " ("
                    + (bytes < 0 ? "more than 2^63" : Long.toString(bytes)) + " bytes of data) and the file holds "
                    + Math.max(0, plainSize - offset));
        }
    }

    /**
     * Exactly {@code n} bytes, in a buffer that grows only as they arrive: a header that claims more than the input
     * holds costs what the input holds, not what it claims. {@code truncated} is the message when it ends first.
     */
    byte[] readClaimed(int n, String truncated) throws IOException {
        byte[] buffer = new byte[Math.min(n, CHUNK)];
        int have = 0;
        while (have < n) {
            if (have == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(n, 2L * buffer.length));
            }
            int read;
            try {
                read = data.read(buffer, have, buffer.length - have);
            } catch (EOFException e) {
                throw new InvalidUploadException(truncated, e);
            }
            if (read < 0) {
                throw new InvalidUploadException(truncated);
            }
            have += read;
        }
        return buffer;
    }

    void readFully(byte[] into, String truncated) throws IOException {
        try {
            data.readFully(into);
        } catch (EOFException e) {
            throw new InvalidUploadException(truncated, e);
        }
    }

    void expectEnd() throws IOException {
        if (data.read() != -1) {
            throw new InvalidUploadException(part + " goes on past the end its header declares");
        }
    }

    @Override
    public void close() throws IOException {
        data.close();
    }

    /** Counts the bytes read through it, and shows the running count to {@code seen} after each read. */
    private static class Counting extends FilterInputStream {
        private final LongConsumer seen;
        private long count;

        Counting(InputStream in, LongConsumer seen) {
            super(in);
            this.seen = seen;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                seen.accept(++count);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                seen.accept(count += n);
            }
            return n;
        }

        long count() {
            return count;
        }
    }

    /** Decompressed bytes, refused once they pass the limits (see {@link UploadLimits}). */
    private static final class Guarded extends Counting {
        Guarded(InputStream in, String part, UploadLimits limits, LongSupplier compressed) {
            super(in, produced -> check(produced, part, limits, compressed.getAsLong()));
        }

        static void check(long produced, String part, UploadLimits limits, long from) {
            if (produced > limits.maxDecompressedBytes()) {
                throw new InvalidUploadException(part + " decompresses to more than " + limits.maxDecompressedBytes()
                        + " bytes (valley.api.max-decompressed-size); nothing was stored");
            }
            if (produced > UploadLimits.GRACE_BYTES && produced > limits.maxCompressionRatio() * from) {
                throw new InvalidUploadException(part + " decompresses to more than " + limits.maxCompressionRatio()
                        + " times its compressed size (" + produced + " bytes from " + from + "; "
                        + "valley.api.max-compression-ratio): refused as a decompression bomb");
            }
        }
    }
}
