package dev.valley.model.upload;

import static dev.valley.model.Json.JSON;

import dev.valley.model.layout.ModelLayout;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Checks an uploaded safetensors file against the tensors an architecture has ({@link ModelLayout}), streaming: its
 * header (an 8-byte little-endian length, then JSON), that the data section is exactly what the header declares,
 * that every tensor is there with its shape and dtype and nothing else is, and that every float is finite. A file
 * that fails is refused with every offending tensor named.
 */
public final class WeightsFile {
    /** The format allows 100 MB; a header that large parses into several times that much heap. Models here have
     * headers of kilobytes, and a model of ten thousand tensors about a megabyte. */
    private static final long MAX_HEADER = 8L << 20;
    private static final Map<String, Integer> ITEM_SIZES = Map.of("F64", 8, "F32", 4, "F16", 2, "BF16", 2,
            "I64", 8, "I32", 4, "I16", 2, "I8", 1, "U8", 1, "BOOL", 1);

    private WeightsFile() {
    }

    /** One tensor as the header declares it. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
    }

    /** Returns the header's entries in file order; throws {@link InvalidUploadException} with every problem. */
    public static List<Entry> check(Path file, List<ModelLayout.Tensor> layout) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            long size = Files.size(file);
            List<Entry> entries = header(in, size);
            List<String> problems = new ArrayList<>();
            Map<String, Entry> byName = new LinkedHashMap<>();
            entries.forEach(e -> byName.put(e.name(), e));
            for (ModelLayout.Tensor expected : layout) {
                Entry e = byName.get(expected.name());
                if (e == null) {
                    problems.add(expected.name() + ": missing (expected " + expected.dtype()
                            + Arrays.toString(expected.shape()) + ")");
                    continue;
                }
                if (!Arrays.equals(e.shape(), expected.shape())) {
                    problems.add(expected.name() + ": shape " + Arrays.toString(e.shape()) + ", expected "
                            + Arrays.toString(expected.shape()));
                }
                if (!e.dtype().equals(expected.dtype())) {
                    problems.add(expected.name() + ": dtype " + e.dtype() + ", expected " + expected.dtype());
                }
            }
            List<String> known = layout.stream().map(ModelLayout.Tensor::name).toList();
            byName.keySet().stream().filter(n -> !known.contains(n))
                    .forEach(n -> problems.add(n + ": not a tensor of this architecture"));
            if (!problems.isEmpty()) {
                throw new InvalidUploadException("file does not match the architecture (" + problems.size()
                        + " tensor" + (problems.size() == 1 ? "" : "s") + "): " + String.join("; ", problems));
            }
            finite(in, entries);
            return entries;
        } catch (IOException e) {
            throw new InvalidUploadException("file cannot be read: " + e.getMessage(), e);
        }
    }

    private static List<Entry> header(DataInputStream in, long size) throws IOException {
        if (size < 8) {
            throw new InvalidUploadException("file is " + size + " bytes: too short for a safetensors header");
        }
        long length = Long.reverseBytes(in.readLong());
        if (length <= 1 || length > MAX_HEADER || 8 + length > size) {
            throw new InvalidUploadException("file is not safetensors: its first 8 bytes declare a header of "
                    + Long.toUnsignedString(length) + " bytes in a file of " + size);
        }
        byte[] raw = new byte[(int) length];
        in.readFully(raw);
        JsonNode header;
        try {
            header = JSON.readTree(new String(raw, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new InvalidUploadException("file is not safetensors: its header is not JSON (" + e.getOriginalMessage()
                    + ")");
        }
        if (header == null || !header.isObject()) {
            throw new InvalidUploadException("file is not safetensors: its header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode t = field.getValue();
            String dtype = t.path("dtype").asString("");
            JsonNode shape = t.path("shape");
            JsonNode offsets = t.path("data_offsets");
            if (!ITEM_SIZES.containsKey(dtype) || !shape.isArray() || !offsets.isArray() || offsets.size() != 2) {
                throw new InvalidUploadException("file's header entry " + field.getKey()
                        + " lacks a known dtype, a shape or two data_offsets");
            }
            long[] dims = new long[shape.size()];
            long count = 1;
            for (int i = 0; i < dims.length; i++) {
                JsonNode dim = shape.get(i);
                dims[i] = dim.isIntegralNumber() && dim.canConvertToLong() ? dim.asLong() : -1;
                if (dims[i] < 0) {
                    throw new InvalidUploadException("file's " + field.getKey() + " has shape " + abbreviate(shape)
                            + ": a shape is a list of non-negative integers that fit in 64 bits");
                }
                try {
                    count = Math.multiplyExact(count, dims[i]);
                } catch (ArithmeticException e) {
                    throw new InvalidUploadException("file's " + field.getKey() + " has shape " + abbreviate(shape)
                            + ": more elements than 2^63, more than any file holds");
                }
            }
            long begin = offsets.get(0).isIntegralNumber() && offsets.get(0).canConvertToLong()
                    ? offsets.get(0).asLong() : -1;
            long end = offsets.get(1).isIntegralNumber() && offsets.get(1).canConvertToLong()
                    ? offsets.get(1).asLong() : -1;
            long bytes = count > Long.MAX_VALUE / 8 ? -1 : count * ITEM_SIZES.get(dtype);
            if (bytes < 0 || bytes > size) {
                throw new InvalidUploadException("file's " + field.getKey() + " has shape " + abbreviate(shape)
                        + ": " + (bytes < 0 ? "more than 2^63" : Long.toString(bytes)) + " bytes, more than the file"
                        + " holds (" + size + ")");
            }
            if (begin < 0 || end - begin != bytes) {
                throw new InvalidUploadException("file's " + field.getKey() + " spans bytes [" + begin + ", " + end
                        + "), not the " + bytes + " its dtype and shape take");
            }
            entries.add(new Entry(field.getKey(), dtype, dims, begin, end));
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long at = 0;
        for (Entry e : entries) {
            if (e.begin() != at) {
                throw new InvalidUploadException("file's tensors overlap or leave a gap at byte " + at + " of its data ("
                        + e.name() + " begins at " + e.begin() + ")");
            }
            at = e.end();
        }
        long data = size - 8 - length;
        if (data != at) {
            throw new InvalidUploadException("file " + (data < at ? "is truncated" : "goes on past its tensors")
                    + ": its header declares " + at + " bytes of data and it holds " + data);
        }
        return entries;
    }

    /** Every F32 value, tensor by tensor: NaN or infinity names the tensor and the flat index. */
    private static void finite(DataInputStream in, List<Entry> entries) throws IOException {
        byte[] buffer = new byte[1 << 16];
        for (Entry e : entries) {
            long remaining = e.end() - e.begin();
            if (!e.dtype().equals("F32")) {
                in.skipNBytes(remaining);
                continue;
            }
            long index = 0;
            while (remaining > 0) {
                int n = (int) Math.min(buffer.length, remaining);
                try {
                    in.readFully(buffer, 0, n);
                } catch (EOFException ex) {
                    throw new InvalidUploadException("file is truncated inside " + e.name(), ex);
                }
                ByteBuffer values = ByteBuffer.wrap(buffer, 0, n).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i += 4) {
                    float v = values.getFloat(i);
                    if (!Float.isFinite(v)) {
                        throw new InvalidUploadException(e.name() + " holds " + v + " at flat index " + (index + i / 4)
                                + "; weights must be finite");
                    }
                }
                index += n / 4;
                remaining -= n;
            }
        }
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
