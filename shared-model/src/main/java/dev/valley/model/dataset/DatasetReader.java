package dev.valley.model.dataset;

import dev.valley.model.upload.InvalidUploadException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads one split of an uploaded dataset from its files, streaming: each example's features and label go to a
 * {@link Sink} as they are read, so the api-service can check a file of any size in constant memory and a worker can
 * keep what it needs. Where labels and features are separate files (IDX, NPY, NPZ), both are read side by side.
 * Nothing is allocated by a header's claim alone, and compressed input is read within {@link UploadLimits}
 * ({@link UploadInput}). Everything a file may get wrong (magic, dtype, shape, truncation, trailing bytes, counts that
 * disagree, NaN or infinite features, labels that are not non-negative integers, lines past the limit) is an
 * {@link InvalidUploadException} that names the file and the place.
 */
public final class DatasetReader {
    private static final int IDX_UNSIGNED_BYTE = 0x08;
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern NPY_DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern NPY_ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    /** How numpy, pandas and Java write non-finite numbers. */
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
    private static final Pattern NPY_SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** More values than this in one example (a 1024 x 1024 x 4 image) is no dataset Valley trains on. */
    public static final int MAX_VALUES_PER_EXAMPLE = 1 << 22;

    private DatasetReader() {
    }

    /** Receives each example in order; the features array is reused, so keep a copy. */
    public interface Sink {
        /** Before the first example, where the file's header says how many there are (not for CSV). */
        default void expect(int count, int valuesPerExample) {
        }

        void example(float[] features, int label);
    }

    public static final Sink DISCARD = (features, label) -> {
    };

    /** A split as read: how many examples, each example's shape, and how many classes its labels name. */
    public record Read(int count, long[] sampleShape, int classes) {
    }

    /**
     * Reads the training split ({@code test} false) or the uploaded test split from {@code parts} (part name → file);
     * null for a test split that was not uploaded.
     */
    public static Read read(DatasetFormat format, Map<String, Path> parts, boolean test, String labelColumn,
            UploadLimits limits, Sink sink) {
        try {
            return switch (format) {
                case IDX -> test ? (parts.containsKey("testImages") ? idx(parts, "testImages", "testLabels", limits,
                        sink) : null) : idx(parts, "trainImages", "trainLabels", limits, sink);
                case CSV -> test ? (parts.containsKey("test") ? csv(parts.get("test"), "test", labelColumn, limits,
                        sink) : null) : csv(parts.get("train"), "train", labelColumn, limits, sink);
                case NPY -> test ? (parts.containsKey("xTest") ? npyPair(parts, "xTest", "yTest", limits, sink)
                        : null) : npyPair(parts, "x", "y", limits, sink);
                case NPZ -> npz(parts.get("file"), test, limits, sink);
            };
        } catch (InvalidUploadException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidUploadException("cannot be read: " + e.getMessage(), e);
        }
    }

    /** Counts the examples and the classes their labels name. */
    private static final class Labels {
        int count;
        int classes;

        int add(int label) {
            count++;
            classes = Math.max(classes, label + 1);
            return label;
        }
    }

    // --- IDX ---

    private static Read idx(Map<String, Path> parts, String imagesPart, String labelsPart, UploadLimits limits,
            Sink sink) throws IOException {
        try (UploadInput labels = UploadInput.open(parts.get(labelsPart), labelsPart, limits);
                UploadInput images = UploadInput.open(parts.get(imagesPart), imagesPart, limits)) {
            int count = idxHeader(labels, 1)[0];
            labels.expectBytes(8, count, count + " labels");
            int[] dims = idxHeader(images, 3);
            if (dims[0] != count) {
                throw new InvalidUploadException(imagesPart + " holds " + dims[0] + " images but " + labelsPart
                        + " holds " + count + " labels");
            }
            long values = (long) dims[1] * dims[2];
            if (values > MAX_VALUES_PER_EXAMPLE) {
                throw new InvalidUploadException(imagesPart + " has images of " + dims[1] + " x " + dims[2] + ": more"
                        + " than " + MAX_VALUES_PER_EXAMPLE + " values per example");
            }
            int size = (int) values;
            images.expectBytes(16, saturatingProduct(count, size), count + " images of " + dims[1] + " x " + dims[2]);
            sink.expect(count, size);
            byte[] label = new byte[1];
            byte[] raw = null;
            float[] features = null;
            Labels seen = new Labels();
            for (int n = 0; n < count; n++) {
                labels.readFully(label, labelsPart + " is truncated: its header declares " + count
                        + " labels and it ends in label " + n);
                String truncated = imagesPart + " is truncated: its header declares " + count
                        + " images and it ends in image " + n;
                if (raw == null) {
                    raw = images.readClaimed(size, truncated);
                    features = new float[size];
                } else {
                    images.readFully(raw, truncated);
                }
                for (int i = 0; i < size; i++) {
                    features[i] = (raw[i] & 0xff) / 255f;
                }
                sink.example(features, seen.add(label[0] & 0xff));
            }
            labels.expectEnd();
            images.expectEnd();
            return new Read(count, new long[] {1, dims[1], dims[2]}, seen.classes);
        }
    }

    private static int[] idxHeader(UploadInput input, int expectedDims) throws IOException {
        String part = input.part;
        int magic;
        try {
            magic = input.data.readInt();
        } catch (EOFException e) {
            throw new InvalidUploadException(part + " is empty or shorter than an IDX header", e);
        }
        int type = (magic >>> 8) & 0xff;
        int dims = magic & 0xff;
        if ((magic >>> 16) != 0 || type != IDX_UNSIGNED_BYTE || dims != expectedDims) {
            throw new InvalidUploadException(String.format("%s is not an IDX file of unsigned bytes with %d"
                    + " dimension%s (magic number 0x%08x; expected 0x%08x)", part, expectedDims,
                    expectedDims == 1 ? "" : "s", magic, (IDX_UNSIGNED_BYTE << 8) | expectedDims));
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            try {
                sizes[i] = input.data.readInt();
            } catch (EOFException e) {
                throw new InvalidUploadException(part + " is truncated inside its header", e);
            }
            if (sizes[i] <= 0) {
                throw new InvalidUploadException(part + ": dimension " + i + " is " + sizes[i]);
            }
        }
        return sizes;
    }

    // --- CSV ---

    private static Read csv(Path file, String part, String labelColumn, UploadLimits limits, Sink sink)
            throws IOException {
        String wanted = labelColumn == null ? "label" : labelColumn;
        try (UploadInput input = UploadInput.open(file, part, limits);
                Lines lines = new Lines(new InputStreamReader(input.data, StandardCharsets.UTF_8.newDecoder()), part,
                        limits.maxLineLength())) {
            String header = lines.next();
            if (header == null || header.isBlank()) {
                throw new InvalidUploadException(part + " is empty: a CSV needs a header row");
            }
            List<String> columns = Arrays.stream(header.replace("\uFEFF", "").split(",", -1)).map(DatasetReader::cell)
                    .toList();
            int label = columns.indexOf(wanted);
            if (label < 0) {
                throw new InvalidUploadException(part + " has no column '" + wanted + "' (labelColumn) among its "
                        + columns.size() + " columns: " + abbreviate(columns));
            }
            if (columns.size() < 2) {
                throw new InvalidUploadException(part + " has no feature column besides '" + wanted + "'");
            }
            float[] features = new float[columns.size() - 1];
            Labels seen = new Labels();
            String line;
            while ((line = lines.next()) != null) {
                int row = lines.number();
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length != columns.size()) {
                    throw new InvalidUploadException(part + " row " + row + " has " + cells.length
                            + " fields; the header has " + columns.size());
                }
                int f = 0;
                int y = 0;
                for (int c = 0; c < cells.length; c++) {
                    String value = cell(cells[c]);
                    if (c == label) {
                        y = label(value, part + " row " + row + ", column '" + wanted + "'");
                        continue;
                    }
                    float x;
                    try {
                        x = NON_FINITE.matcher(value).matches() ? Float.NaN : Float.parseFloat(value);
                    } catch (NumberFormatException e) {
                        throw new InvalidUploadException(part + " row " + row + ", column '" + columns.get(c)
                                + "': '" + abbreviate(value) + "' is not a number");
                    }
                    if (!Float.isFinite(x)) {
                        throw new InvalidUploadException(part + " row " + row + ", column '" + columns.get(c)
                                + "' is " + abbreviate(value) + "; features must be finite");
                    }
                    features[f++] = x;
                }
                sink.example(features, seen.add(y));
            }
            if (seen.count == 0) {
                throw new InvalidUploadException(part + " has a header and no rows");
            }
            return new Read(seen.count, new long[] {features.length}, seen.classes);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidUploadException(part + " is not UTF-8 text", e);
        }
    }

    private static String cell(String raw) {
        String s = raw.strip();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    private static int label(String value, String where) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidUploadException(where + ": '" + abbreviate(value)
                    + "' is not a class index (a non-negative integer)");
        }
        if (parsed < 0 || parsed >= MAX_CLASSES) {
            throw new InvalidUploadException(where + ": class " + parsed + " is outside [0, " + MAX_CLASSES + ")");
        }
        return (int) parsed;
    }

    /** More classes than this is surely a column mix-up (a feature taken for the label). */
    public static final int MAX_CLASSES = 100_000;

    // --- NPY and NPZ ---

    private static Read npz(Path file, boolean test, UploadLimits limits, Sink sink) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new InvalidUploadException("file is not an NPZ (zip) archive: " + e.getMessage(), e);
        }
        try (zip) {
            String x = test ? "x_test" : "x";
            String y = test ? "y_test" : "y";
            ZipEntry xs = zip.getEntry(x + ".npy");
            ZipEntry ys = zip.getEntry(y + ".npy");
            if (test && xs == null && ys == null) {
                return null;
            }
            if (xs == null || ys == null) {
                throw new InvalidUploadException("file (NPZ) has no array '" + (xs == null ? x : y)
                        + "'; it holds " + abbreviate(zip.stream().limit(20).map(ZipEntry::getName).toList()));
            }
            try (UploadInput labels = entry(zip, ys, Files.size(file), "file:" + y, limits);
                    UploadInput features = entry(zip, xs, Files.size(file), "file:" + x, limits)) {
                return npy(features, labels, sink);
            }
        }
    }

    /** An entry's compressed size, as the archive states it, is what its ratio is measured against. */
    private static UploadInput entry(ZipFile zip, ZipEntry entry, long fileSize, String part, UploadLimits limits)
            throws IOException {
        long compressed = entry.getCompressedSize() < 0 ? fileSize : Math.min(fileSize, entry.getCompressedSize());
        return UploadInput.inflating(zip.getInputStream(entry), compressed, entry.getSize(), part, limits);
    }

    private static Read npyPair(Map<String, Path> parts, String xPart, String yPart, UploadLimits limits, Sink sink)
            throws IOException {
        try (UploadInput labels = UploadInput.open(parts.get(yPart), yPart, limits);
                UploadInput features = UploadInput.open(parts.get(xPart), xPart, limits)) {
            return npy(features, labels, sink);
        }
    }

    private record Npy(String descr, long[] shape, long dataOffset) {
        int itemSize() {
            return Integer.parseInt(descr.substring(2));
        }

        char kind() {
            return descr.charAt(1);
        }
    }

    private static Npy npyHeader(UploadInput input) throws IOException {
        String part = input.part;
        DataInputStream in = input.data;
        byte[] magic = new byte[6];
        try {
            in.readFully(magic);
        } catch (EOFException e) {
            throw new InvalidUploadException(part + " is empty or shorter than an NPY header", e);
        }
        if (!Arrays.equals(magic, NPY_MAGIC)) {
            throw new InvalidUploadException(part + " is not an NPY file (it does not start with \\x93NUMPY)");
        }
        int major = in.readUnsignedByte();
        in.readUnsignedByte();
        long headerLength = switch (major) {
            case 1 -> Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            case 2, 3 -> Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            default -> throw new InvalidUploadException(part + " is NPY version " + major + "; 1 to 3 are read");
        };
        if (headerLength > 65536) {
            throw new InvalidUploadException(part + " has an NPY header of " + headerLength + " bytes");
        }
        long dataOffset = (major == 1 ? 10 : 12) + headerLength;
        String header = new String(input.readClaimed((int) headerLength, part
                + " is truncated inside its NPY header"), StandardCharsets.ISO_8859_1);
        Matcher descr = NPY_DESCR.matcher(header);
        Matcher order = NPY_ORDER.matcher(header);
        Matcher shape = NPY_SHAPE.matcher(header);
        if (!descr.find() || !order.find() || !shape.find()) {
            throw new InvalidUploadException(part + " has an NPY header without descr, fortran_order and shape: "
                    + abbreviate(header.strip()));
        }
        if (order.group(1).equals("True")) {
            throw new InvalidUploadException(part + " is in Fortran order; save it in C order (np.ascontiguousarray)");
        }
        String d = descr.group(1);
        if (!d.matches("[<|>][fiub][1248]")) {
            throw new InvalidUploadException(part + " has dtype '" + d + "'; Valley reads integers, unsigned"
                    + " integers and floats of 1 to 8 bytes");
        }
        if (d.charAt(1) == 'f' && !d.endsWith("4") && !d.endsWith("8")) {
            throw new InvalidUploadException(part + " has dtype '" + d + "'; floats are read as float32 or float64");
        }
        if (d.charAt(0) == '>' && !d.endsWith("1")) {
            throw new InvalidUploadException(part + " is big-endian ('" + d + "'); save it little-endian");
        }
        List<Long> sizes = new ArrayList<>();
        for (String s : shape.group(1).split(",")) {
            if (s.isBlank()) {
                continue;
            }
            long size;
            try {
                size = Long.parseLong(s.strip().replace("L", ""));
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 0) {
                throw new InvalidUploadException(part + " has shape (" + abbreviate(shape.group(1).strip())
                        + "); a shape is a tuple of non-negative integers that fit in 64 bits");
            }
            sizes.add(size);
        }
        return new Npy(d, sizes.stream().mapToLong(Long::longValue).toArray(), dataOffset);
    }

    /** Labels from {@code y}, features from {@code x}, example by example. */
    private static Read npy(UploadInput x, UploadInput y, Sink sink) throws IOException {
        Npy ys = npyHeader(y);
        if (ys.shape().length != 1 && !(ys.shape().length == 2 && ys.shape()[1] == 1)) {
            throw new InvalidUploadException(y.part + " has shape " + Arrays.toString(ys.shape())
                    + "; labels are one per example, shape [N]");
        }
        if (ys.kind() == 'f' || ys.kind() == 'b') {
            throw new InvalidUploadException(y.part + " has dtype '" + ys.descr()
                    + "'; labels must be integers (class indices)");
        }
        long labelCount = ys.shape()[0];
        y.expectBytes(ys.dataOffset(), saturatingProduct(labelCount, ys.itemSize()), labelCount + " labels");
        if (labelCount > Integer.MAX_VALUE - 8) {
            throw new InvalidUploadException(y.part + " holds " + labelCount + " labels, too many");
        }
        Npy xs = npyHeader(x);
        if (xs.shape().length < 2) {
            throw new InvalidUploadException(x.part + " has shape " + Arrays.toString(xs.shape())
                    + "; features are [N, ...] with at least one value per example");
        }
        long[] sampleShape = Arrays.copyOfRange(xs.shape(), 1, xs.shape().length);
        long perExample = Arrays.stream(sampleShape).reduce(1, DatasetReader::saturatingProduct);
        if (perExample <= 0 || perExample > MAX_VALUES_PER_EXAMPLE) {
            throw new InvalidUploadException(x.part + " has shape " + Arrays.toString(xs.shape()) + ": "
                    + (perExample == Long.MAX_VALUE ? "more than 2^63" : Long.toString(perExample))
                    + " values per example; 1 to " + MAX_VALUES_PER_EXAMPLE + " are read");
        }
        int count = (int) labelCount;
        if (xs.shape()[0] != count) {
            throw new InvalidUploadException(x.part + " holds " + xs.shape()[0] + " examples but " + y.part
                    + " holds " + count + " labels");
        }
        int size = (int) perExample;
        x.expectBytes(xs.dataOffset(), saturatingProduct(saturatingProduct(count, size), xs.itemSize()),
                count + " examples of " + size + " values");
        sink.expect(count, size);
        byte[] item = new byte[ys.itemSize()];
        byte[] raw = null;
        ByteBuffer buffer = null;
        float[] features = null;
        boolean bytes = xs.descr().equals("|u1");
        Labels seen = new Labels();
        for (int n = 0; n < count; n++) {
            y.readFully(item, y.part + " is truncated: its header declares " + count + " labels and it ends in label "
                    + n);
            long value = integer(item, 0, item.length, ys.kind());
            if (value < 0 || value >= MAX_CLASSES) {
                throw new InvalidUploadException(y.part + "[" + n + "] is " + value
                        + "; labels must be class indices in [0, " + MAX_CLASSES + ")");
            }
            String truncated = x.part + " is truncated: its header declares " + count
                    + " examples and it ends in example " + n;
            if (raw == null) {
                raw = x.readClaimed(size * xs.itemSize(), truncated);
                buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                features = new float[size];
            } else {
                x.readFully(raw, truncated);
            }
            for (int i = 0; i < size; i++) {
                int at = i * xs.itemSize();
                float v = switch (xs.kind()) {
                    case 'f' -> xs.itemSize() == 8 ? (float) buffer.getDouble(at) : buffer.getFloat(at);
                    case 'b' -> raw[at] == 0 ? 0f : 1f;
                    default -> bytes ? (raw[at] & 0xff) / 255f : (float) integer(raw, at, xs.itemSize(), xs.kind());
                };
                if (!Float.isFinite(v)) {
                    throw new InvalidUploadException(x.part + ": example " + n + " has " + v + " at flat index " + i
                            + "; features must be finite");
                }
                features[i] = v;
            }
            sink.example(features, seen.add((int) value));
        }
        y.expectEnd();
        x.expectEnd();
        return new Read(count, sampleShape, seen.classes);
    }

    private static long integer(byte[] raw, int at, int size, char kind) {
        ByteBuffer b = ByteBuffer.wrap(raw, at, size).order(ByteOrder.LITTLE_ENDIAN);
        return switch (size) {
            case 1 -> kind == 'u' ? raw[at] & 0xff : raw[at];
            case 2 -> kind == 'u' ? Short.toUnsignedInt(b.getShort()) : b.getShort();
            case 4 -> kind == 'u' ? Integer.toUnsignedLong(b.getInt()) : b.getInt();
            default -> b.getLong();
        };
    }

    // --- shared ---

    /** a × b for non-negative a and b, or Long.MAX_VALUE where that overflows. */
    private static long saturatingProduct(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long product = a * b;
        return high != 0 || product < 0 ? Long.MAX_VALUE : product;
    }

    private static String abbreviate(Object value) {
        String s = value instanceof List<?> list && list.size() > 20
                ? list.subList(0, 20) + " and " + (list.size() - 20) + " more" : String.valueOf(value);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /**
     * A CSV's lines, each at most {@code max} characters: a longer one is refused as it is read, so that one line
     * without an end (a decompressed run of zeros) costs no more than the limit.
     */
    private static final class Lines implements AutoCloseable {
        private final java.io.Reader in;
        private final String part;
        private final int max;
        private final char[] buffer = new char[1 << 16];
        private final StringBuilder line = new StringBuilder();
        private int position;
        private int limit;
        private int number;

        Lines(java.io.Reader in, String part, int max) {
            this.in = in;
            this.part = part;
            this.max = max;
        }

        /** The next line without its end (\n or \r\n), or null at the end of the input. */
        String next() throws IOException {
            line.setLength(0);
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        if (line.isEmpty()) {
                            return null;
                        }
                        number++;
                        return line.toString();
                    }
                }
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                line.append(buffer, start, position - start);
                if (line.length() > max) {
                    throw new InvalidUploadException(part + " line " + (number + 1) + " is longer than " + max
                            + " characters (valley.api.max-csv-line)");
                }
                if (position < limit) {
                    position++;
                    number++;
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
            }
        }

        /** The 1-based number of the line {@link #next} returned last. */
        int number() {
            return number;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
