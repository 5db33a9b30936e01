package dev.valley.worker.science.io;

import static dev.valley.model.Json.JSON;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a
 * JSON header of {name: {dtype, shape, data_offsets}} plus a string map {@code __metadata__}, then the raw
 * little-endian tensor bytes. F32 and I64 are the types Valley writes.
 */
public final class SafeTensors {
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /** A tensor on the host. */
    public record HostTensor(String dtype, long[] shape, ByteBuffer data) {
        /** The tensor as a new array of {@code manager} (on its device); {@code name} says which in an error. */
        public NDArray create(ai.djl.ndarray.NDManager manager, String name) {
            return switch (dtype) {
                case "F32" -> manager.create(floats(), new Shape(shape));
                case "I64" -> manager.create(longs(), new Shape(shape));
                default -> throw new IllegalArgumentException(name + " is " + dtype
                        + "; Valley reads F32 parameters and I64 counters");
            };
        }

        public float[] floats() {
            if (!"F32".equals(dtype)) {
                throw new IllegalStateException("tensor is " + dtype + ", not F32");
            }
            float[] values = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }

        public long[] longs() {
            if (!"I64".equals(dtype)) {
                throw new IllegalStateException("tensor is " + dtype + ", not I64");
            }
            long[] values = new long[data.remaining() / 8];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
            return values;
        }
    }

    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {
    }

    public static byte[] write(Map<String, NDArray> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        Map<String, byte[]> payloads = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
            NDArray array = entry.getValue();
            byte[] bytes = littleEndianBytes(array);
            ObjectNode info = header.putObject(entry.getKey());
            info.put("dtype", dtypeName(array.getDataType()));
            var shape = info.putArray("shape");
            for (long d : array.getShape().getShape()) {
                shape.add(d);
            }
            info.putArray("data_offsets").add(offset).add(offset + bytes.length);
            offset += bytes.length;
            payloads.put(entry.getKey(), bytes);
        }
        byte[] headerBytes = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8;
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.toIntExact(8 + padded + offset));
        try {
            writeTo(out, headerBytes, padded, payloads);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private static void writeTo(OutputStream out, byte[] header, int padded, Map<String, byte[]> payloads)
            throws IOException {
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(header);
        for (int i = header.length; i < padded; i++) {
            out.write(' ');
        }
        for (byte[] payload : payloads.values()) {
            out.write(payload);
        }
    }

    public static Contents read(byte[] file) {
        if (file.length < 8) {
            throw new IllegalArgumentException("not a safetensors file: " + file.length + " bytes");
        }
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buffer.getLong();
        if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > file.length) {
            throw new IllegalArgumentException("not a safetensors file: header length " + headerLength);
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(file, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("safetensors header is not JSON: " + e.getOriginalMessage(), e);
        }
        long dataStart = 8 + headerLength;
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : header.properties()) {
            if (entry.getKey().equals("__metadata__")) {
                entry.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asString()));
                continue;
            }
            JsonNode info = entry.getValue();
            long begin = info.path("data_offsets").path(0).asLong(-1);
            long end = info.path("data_offsets").path(1).asLong(-1);
            if (begin < 0 || end < begin || dataStart + end > file.length) {
                throw new IllegalArgumentException("tensor " + entry.getKey() + " lies outside the file");
            }
            long[] shape = new long[info.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = info.path("shape").path(i).asLong();
            }
            String dtype = info.path("dtype").asString();
            long expected = new Shape(shape).size() * bytesPer(dtype);
            if (expected != end - begin) {
                throw new IllegalArgumentException("tensor " + entry.getKey() + " of shape " + new Shape(shape)
                        + " and " + dtype + " needs " + expected + " bytes, has " + (end - begin));
            }
            tensors.put(entry.getKey(), new HostTensor(dtype, shape,
                    ByteBuffer.wrap(file, (int) (dataStart + begin), (int) (end - begin)).slice()));
        }
        return new Contents(tensors, metadata);
    }

    private static byte[] littleEndianBytes(NDArray array) {
        DataType type = array.getDataType();
        if (type == DataType.FLOAT32) {
            float[] values = array.toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            return b.array();
        }
        if (type == DataType.INT64) {
            long[] values = array.toLongArray();
            ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            b.asLongBuffer().put(values);
            return b.array();
        }
        throw new IllegalArgumentException("cannot write " + type + " to safetensors");
    }

    private static String dtypeName(DataType type) {
        return type == DataType.FLOAT32 ? "F32" : "I64";
    }

    private static int bytesPer(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16", "I16" -> 2;
            case "U8", "I8", "BOOL" -> 1;
            default -> throw new IllegalArgumentException("unknown safetensors dtype " + dtype);
        };
    }
}
