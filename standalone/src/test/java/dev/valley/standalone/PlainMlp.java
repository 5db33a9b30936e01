package dev.valley.standalone;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A second method for the tests: an MLP ({@code layers.{i}.weight/bias}, ReLU between) evaluated in plain Java
 * with double accumulation, straight from safetensors bytes, sharing no code with the worker.
 */
final class PlainMlp {
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** F32 tensors by name, with their shapes. */
    record Tensors(Map<String, float[]> values, Map<String, int[]> shapes) {
    }

    private PlainMlp() {
    }

    static Tensors read(byte[] file) {
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buffer.getLong();
        JsonNode header = JSON.readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8));
        Map<String, float[]> t = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (var e : header.properties()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            int begin = e.getValue().get("data_offsets").get(0).asInt();
            int end = e.getValue().get("data_offsets").get(1).asInt();
            float[] values = new float[(end - begin) / 4];
            ByteBuffer.wrap(file, 8 + headerLength + begin, end - begin).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(values);
            t.put(e.getKey(), values);
            shapes.put(e.getKey(), e.getValue().get("shape").valueStream().mapToInt(JsonNode::asInt).toArray());
        }
        return new Tensors(t, shapes);
    }

    /** {accuracy, mean cross-entropy} on Fashion-MNIST's test set, read from the Debian package's IDX files. */
    static double[] onFashionMnistTest(Tensors t) throws IOException {
        byte[] images = gunzip(FASHION_MNIST.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(FASHION_MNIST.resolve("t10k-labels-idx1-ubyte.gz"));
        int n = 10_000;
        double[][] x = new double[n][784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 784; p++) {
                x[i][p] = (images[16 + i * 784 + p] & 0xff) / 255.0;
            }
            y[i] = labels[8 + i] & 0xff;
        }
        return evaluate(t, x, y);
    }

    /** {accuracy, mean cross-entropy} of the MLP on inputs {@code x} with labels {@code y}. */
    static double[] evaluate(Tensors t, double[][] x, int[] y) {
        int layers = (int) t.values().keySet().stream().filter(k -> k.endsWith(".weight")).count();
        double[][] perExample = IntStream.range(0, x.length).parallel().mapToObj(i -> {
            double[] h = x[i];
            for (int l = 0; l < layers; l++) {
                float[] w = t.values().get("layers." + l + ".weight");
                float[] b = t.values().get("layers." + l + ".bias");
                int out = t.shapes().get("layers." + l + ".weight")[0];
                int in = t.shapes().get("layers." + l + ".weight")[1];
                double[] next = new double[out];
                for (int o = 0; o < out; o++) {
                    double s = b[o];
                    for (int k = 0; k < in; k++) {
                        s += w[o * in + k] * h[k];
                    }
                    next[o] = l + 1 < layers ? Math.max(0, s) : s;
                }
                h = next;
            }
            int best = 0;
            double max = h[0];
            for (int c = 1; c < h.length; c++) {
                if (h[c] > max) {
                    max = h[c];
                    best = c;
                }
            }
            double sum = 0;
            for (double v : h) {
                sum += Math.exp(v - max);
            }
            return new double[] {best == y[i] ? 1 : 0, -(h[y[i]] - max - Math.log(sum))};
        }).toArray(double[][]::new);
        double correct = 0;
        double loss = 0;
        for (double[] r : perExample) {
            correct += r[0];
            loss += r[1];
        }
        return new double[] {correct / x.length, loss / x.length};
    }

    /** The network Σ_k c_k·(bend k) of a curve.safetensors ({@code bends.{k}.{name}}), summed in double. */
    static Tensors curvePoint(Tensors curve, double[] coefficients) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (String key : curve.values().keySet()) {
            if (!key.startsWith("bends.0.")) {
                continue;
            }
            String name = key.substring("bends.0.".length());
            float[] sum = new float[curve.values().get(key).length];
            for (int i = 0; i < sum.length; i++) {
                double s = 0;
                for (int k = 0; k < coefficients.length; k++) {
                    s += coefficients[k] * curve.values().get("bends." + k + "." + name)[i];
                }
                sum[i] = (float) s;
            }
            values.put(name, sum);
            shapes.put(name, curve.shapes().get(key));
        }
        return new Tensors(values, shapes);
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (var in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }
}
