package dev.valley.standalone;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
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
        return score(probabilities(t, x), y);
    }

    /** {accuracy, mean cross-entropy} of predicted class probabilities (one network's, or an ensemble's mean). */
    static double[] score(double[][] probabilities, int[] y) {
        double correct = 0;
        double loss = 0;
        for (int i = 0; i < y.length; i++) {
            double[] p = probabilities[i];
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                if (p[c] > p[best]) {
                    best = c;
                }
            }
            correct += best == y[i] ? 1 : 0;
            loss -= Math.log(p[y[i]]);
        }
        return new double[] {correct / y.length, loss / y.length};
    }

    /** Softmax outputs of the MLP, computed in double. */
    static double[][] probabilities(Tensors t, double[][] x) {
        return java.util.Arrays.stream(outputs(t, x)).map(h -> {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : h) {
                max = Math.max(max, v);
            }
            double sum = 0;
            double[] p = new double[h.length];
            for (int c = 0; c < h.length; c++) {
                p[c] = Math.exp(h[c] - max);
                sum += p[c];
            }
            for (int c = 0; c < h.length; c++) {
                p[c] /= sum;
            }
            return p;
        }).toArray(double[][]::new);
    }

    /** The last layer's outputs (logits, or a regression's predictions), computed in double. */
    static double[][] outputs(Tensors t, double[][] x) {
        int layers = (int) t.values().keySet().stream().filter(k -> k.endsWith(".weight")).count();
        return IntStream.range(0, x.length).parallel().mapToObj(i -> {
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
            return h;
        }).toArray(double[][]::new);
    }

    /** A split's inputs as rows of doubles. */
    static double[][] rows(dev.valley.worker.science.data.Split split) {
        int d = split.sampleSize();
        double[][] x = new double[split.size()][d];
        for (int i = 0; i < split.size(); i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = split.x()[i * d + j];
            }
        }
        return x;
    }

    /** The tensors {@code prefix.{name}} of a file of several networks, as one network's. */
    static Tensors select(Tensors file, String prefix) {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        file.values().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                values.put(k.substring(prefix.length()), v);
                shapes.put(k.substring(prefix.length()), file.shapes().get(k));
            }
        });
        return new Tensors(values, shapes);
    }

    /** The network Σ_k c_k·networks_k, summed in double. */
    static Tensors combination(List<Tensors> networks, double[] coefficients) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String name : networks.get(0).values().keySet()) {
            float[] sum = new float[networks.get(0).values().get(name).length];
            for (int i = 0; i < sum.length; i++) {
                double s = 0;
                for (int k = 0; k < coefficients.length; k++) {
                    s += coefficients[k] * networks.get(k).values().get(name)[i];
                }
                sum[i] = (float) s;
            }
            values.put(name, sum);
        }
        return new Tensors(values, networks.get(0).shapes());
    }

    /** Σ over every tensor of (a − origin)·(b − origin), in double. */
    static double dot(Tensors a, Tensors b, Tensors origin) {
        double sum = 0;
        for (String name : origin.values().keySet()) {
            float[] o = origin.values().get(name);
            float[] x = a.values().get(name);
            float[] y = b.values().get(name);
            for (int i = 0; i < o.length; i++) {
                sum += ((double) x[i] - o[i]) * ((double) y[i] - o[i]);
            }
        }
        return sum;
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
