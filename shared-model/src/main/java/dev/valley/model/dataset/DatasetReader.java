package dev.valley.model.dataset;

import dev.valley.model.upload.InvalidUploadException;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads one split of an uploaded dataset from its files, streaming: each example's features go to a {@link Sink}
 * as they are read, so the api-service can check a file of any size in constant memory and a worker can keep what
 * it needs. Everything a file may get wrong (magic, dtype, shape, truncation, trailing bytes, counts that disagree,
 * NaN or infinite features, labels that are not non-negative integers) is an {@link InvalidUploadException} that
 * names the file and the place.
 */
public final class DatasetReader {
    private static final int IDX_UNSIGNED_BYTE = 0x08;
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern NPY_DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern NPY_ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    /** How numpy, pandas and Java write non-finite numbers. */
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
    private static final Pattern NPY_SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private DatasetReader() {
    }

    /** Receives each example's features in order; the array is reused, so keep a copy. */
    public interface Sink {
        /** Before the first example, where the file's header says how many there are (not for CSV). */
        default void expect(int count, int valuesPerExample) {
        }

        void example(float[] features);
    }

    public static final Sink DISCARD = features -> {
    };

    /** A split as read: how many examples, each example's shape, and the labels. */
    public record Read(int count, long[] sampleShape, int[] labels) {
        public int classes() {
            return Arrays.stream(labels).max().orElse(-1) + 1;
        }
    }

    /**
     * Reads the training split ({@code test} false) or the uploaded test split from {@code parts} (part name → file);
     * null for a test split that was not uploaded.
     */
    public static Read read(DatasetFormat format, Map<String, Path> parts, boolean test, String labelColumn,
            Sink sink) {
        try {
            return switch (format) {
                case IDX -> test ? (parts.containsKey("testImages") ? idx(parts.get("testImages"), "testImages",
                        parts.get("testLabels"), "testLabels", sink) : null)
                        : idx(parts.get("trainImages"), "trainImages", parts.get("trainLabels"), "trainLabels", sink);
                case CSV -> test ? (parts.containsKey("test") ? csv(parts.get("test"), "test", labelColumn, sink)
                        : null) : csv(parts.get("train"), "train", labelColumn, sink);
                case NPY -> test ? (parts.containsKey("xTest") ? npyPair(parts.get("xTest"), "xTest",
                        parts.get("yTest"), "yTest", sink) : null)
                        : npyPair(parts.get("x"), "x", parts.get("y"), "y", sink);
                case NPZ -> npz(parts.get("file"), test, sink);
            };
        } catch (InvalidUploadException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidUploadException("cannot be read: " + e.getMessage(), e);
        }
    }

    // --- IDX ---

    private static Read idx(Path imagesFile, String imagesPart, Path labelsFile, String labelsPart, Sink sink)
            throws IOException {
        int[] labels;
        try (DataInputStream in = openMaybeGzipped(labelsFile)) {
            int[] dims = idxHeader(in, labelsPart, 1);
            byte[] raw = readFully(in, dims[0], labelsPart);
            expectEnd(in, labelsPart);
            labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                labels[i] = raw[i] & 0xff;
            }
        }
        try (DataInputStream in = openMaybeGzipped(imagesFile)) {
            int[] dims = idxHeader(in, imagesPart, 3);
            if (dims[0] != labels.length) {
                throw new InvalidUploadException(imagesPart + " holds " + dims[0] + " images but " + labelsPart
                        + " holds " + labels.length + " labels");
            }
            int size = Math.multiplyExact(dims[1], dims[2]);
            byte[] raw = new byte[size];
            float[] features = new float[size];
            sink.expect(dims[0], size);
            for (int n = 0; n < dims[0]; n++) {
                try {
                    in.readFully(raw);
                } catch (EOFException e) {
                    throw new InvalidUploadException(imagesPart + " is truncated: its header declares " + dims[0]
                            + " images and it ends in image " + n, e);
                }
                for (int i = 0; i < size; i++) {
                    features[i] = (raw[i] & 0xff) / 255f;
                }
                sink.example(features);
            }
            expectEnd(in, imagesPart);
            return new Read(dims[0], new long[] {1, dims[1], dims[2]}, labels);
        }
    }

    private static int[] idxHeader(DataInputStream in, String part, int expectedDims) throws IOException {
        int magic;
        try {
            magic = in.readInt();
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
                sizes[i] = in.readInt();
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

    private static Read csv(Path file, String part, String labelColumn, Sink sink) throws IOException {
        String wanted = labelColumn == null ? "label" : labelColumn;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(openMaybeGzipped(file),
                StandardCharsets.UTF_8.newDecoder()), 1 << 16)) {
            String header = reader.readLine();
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
            IntList labels = new IntList();
            String line;
            int row = 1;
            while ((line = reader.readLine()) != null) {
                row++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length != columns.size()) {
                    throw new InvalidUploadException(part + " row " + row + " has " + cells.length
                            + " fields; the header has " + columns.size());
                }
                int f = 0;
                for (int c = 0; c < cells.length; c++) {
                    String value = cell(cells[c]);
                    if (c == label) {
                        labels.add(label(value, part + " row " + row + ", column '" + wanted + "'"));
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
                                + "' is " + value + "; features must be finite");
                    }
                    features[f++] = x;
                }
                sink.example(features);
            }
            if (labels.size() == 0) {
                throw new InvalidUploadException(part + " has a header and no rows");
            }
            return new Read(labels.size(), new long[] {features.length}, labels.toArray());
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

    private static Read npz(Path file, boolean test, Sink sink) throws IOException {
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
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            if (xs == null || ys == null) {
                throw new InvalidUploadException("file (NPZ) has no array '" + (xs == null ? x : y)
                        + "'; it holds " + abbreviate(names));
            }
            int[] yValues;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(ys), 1 << 16))) {
                yValues = npyLabels(in, npyHeader(in, "file:" + y), "file:" + y);
            }
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(xs), 1 << 16))) {
                return npyFeatures(in, npyHeader(in, "file:" + x), "file:" + x, yValues, "file:" + y, sink);
            }
        }
    }

    private static Read npyPair(Path xFile, String xPart, Path yFile, String yPart, Sink sink) throws IOException {
        int[] labels;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(yFile), 1 << 16))) {
            labels = npyLabels(in, npyHeader(in, yPart), yPart);
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(xFile), 1 << 16))) {
            return npyFeatures(in, npyHeader(in, xPart), xPart, labels, yPart, sink);
        }
    }

    private record Npy(String descr, long[] shape) {
        int itemSize() {
            return Integer.parseInt(descr.substring(2));
        }

        char kind() {
            return descr.charAt(1);
        }
    }

    private static Npy npyHeader(DataInputStream in, String part) throws IOException {
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
        String header = new String(readFully(in, (int) headerLength, part), StandardCharsets.ISO_8859_1);
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
        String[] dims = shape.group(1).split(",");
        List<Long> sizes = new ArrayList<>();
        for (String s : dims) {
            if (!s.isBlank()) {
                sizes.add(Long.parseLong(s.strip().replace("L", "")));
            }
        }
        return new Npy(d, sizes.stream().mapToLong(Long::longValue).toArray());
    }

    private static int[] npyLabels(DataInputStream in, Npy y, String part) throws IOException {
        if (y.shape().length != 1 && !(y.shape().length == 2 && y.shape()[1] == 1)) {
            throw new InvalidUploadException(part + " has shape " + Arrays.toString(y.shape())
                    + "; labels are one per example, shape [N]");
        }
        if (y.kind() == 'f' || y.kind() == 'b') {
            throw new InvalidUploadException(part + " has dtype '" + y.descr()
                    + "'; labels must be integers (class indices)");
        }
        if (y.shape()[0] > Integer.MAX_VALUE - 8) {
            throw new InvalidUploadException(part + " holds " + y.shape()[0] + " labels, too many");
        }
        int n = (int) y.shape()[0];
        int[] labels = new int[n];
        byte[] item = new byte[y.itemSize()];
        for (int i = 0; i < n; i++) {
            try {
                in.readFully(item);
            } catch (EOFException e) {
                throw new InvalidUploadException(part + " is truncated: its header declares " + n
                        + " labels and it ends in label " + i, e);
            }
            long value = integer(item, y.kind());
            if (value < 0 || value >= MAX_CLASSES) {
                throw new InvalidUploadException(part + "[" + i + "] is " + value
                        + "; labels must be class indices in [0, " + MAX_CLASSES + ")");
            }
            labels[i] = (int) value;
        }
        expectEnd(in, part);
        return labels;
    }

    private static Read npyFeatures(DataInputStream in, Npy x, String part, int[] labels, String labelsPart,
            Sink sink) throws IOException {
        if (x.shape().length < 2) {
            throw new InvalidUploadException(part + " has shape " + Arrays.toString(x.shape())
                    + "; features are [N, ...] with at least one value per example");
        }
        if (x.shape()[0] != labels.length) {
            throw new InvalidUploadException(part + " holds " + x.shape()[0] + " examples but " + labelsPart
                    + " holds " + labels.length + " labels");
        }
        long[] sampleShape = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
        long perExample = Arrays.stream(sampleShape).reduce(1, Math::multiplyExact);
        if (perExample <= 0 || perExample > (1 << 26)) {
            throw new InvalidUploadException(part + " has " + perExample + " values per example");
        }
        int size = (int) perExample;
        byte[] raw = new byte[Math.multiplyExact(size, x.itemSize())];
        ByteBuffer buffer = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] features = new float[size];
        boolean bytes = x.descr().equals("|u1");
        sink.expect(labels.length, size);
        for (int n = 0; n < labels.length; n++) {
            try {
                in.readFully(raw);
            } catch (EOFException e) {
                throw new InvalidUploadException(part + " is truncated: its header declares " + labels.length
                        + " examples and it ends in example " + n, e);
            }
            for (int i = 0; i < size; i++) {
                int at = i * x.itemSize();
                float v = switch (x.kind()) {
                    case 'f' -> x.itemSize() == 8 ? (float) buffer.getDouble(at) : buffer.getFloat(at);
                    case 'b' -> raw[at] == 0 ? 0f : 1f;
                    default -> bytes ? (raw[at] & 0xff) / 255f : (float) integer(raw, at, x.itemSize(), x.kind());
                };
                if (!Float.isFinite(v)) {
                    throw new InvalidUploadException(part + ": example " + n + " has " + v + " at flat index " + i
                            + "; features must be finite");
                }
                features[i] = v;
            }
            sink.example(features);
        }
        expectEnd(in, part);
        return new Read(labels.length, sampleShape, labels);
    }

    private static long integer(byte[] item, char kind) {
        return integer(item, 0, item.length, kind);
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

    private static DataInputStream openMaybeGzipped(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
        in.reset();
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in);
    }

    private static byte[] readFully(DataInputStream in, int n, String part) throws IOException {
        byte[] data = new byte[n];
        try {
            in.readFully(data);
        } catch (EOFException e) {
            throw new InvalidUploadException(part + " is truncated: its header declares " + n + " more bytes", e);
        }
        return data;
    }

    private static void expectEnd(DataInputStream in, String part) throws IOException {
        if (in.read() != -1) {
            throw new InvalidUploadException(part + " goes on past the end its header declares");
        }
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** A growable int array, for labels of a CSV whose length is known only at its end. */
    private static final class IntList {
        private int[] values = new int[1024];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
