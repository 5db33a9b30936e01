package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.worker.science.io.SafeTensors;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Align jobs through the whole platform: two 784-512-512-10 MLPs trained on Fashion-MNIST from seeds 1 and 2 for
 * 3 epochs, the second aligned to the first (Git Re-Basin's weight matching); the aligned network is the target's
 * function, its straight line to the reference has at most a quarter of the unaligned line's barrier (the issue's
 * bound), and {@code {"job": <align>}} names it, so a grid can start from it. Swap paths on the reference end where
 * they began. Bad specs are 400s naming the field.
 */
class AlignEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(10);

    private static JsonNode succeeded(String id) {
        return succeeded(id, LONG);
    }

    private static String train(String model, int seed, String extra) throws Exception {
        return api.submit("""
                {"type":"train","spec":{"dataset":"fashion-mnist","model":%s,"epochs":3,"seed":%d%s}}"""
                .formatted(model, seed, extra)).get("id").asString();
    }

    @Test
    void alignmentLowersTheBarrierOfTheLineAndKeepsTheFunction() throws Exception {
        String mlp = "{\"arch\":\"mlp\",\"hidden\":[512,512]}";
        String a = train(mlp, 1, "");
        String b = train(mlp, 2, "");
        JsonNode submitted = api.submit("""
                {"type":"align","spec":{"reference":{"job":"%s"},"target":{"job":"%s"},"seed":1}}""".formatted(a, b));
        assertThat(submitted.get("status").asString()).isIn("WAITING", "QUEUED");
        assertThat(submitted.at("/spec/model/hidden").toString()).isEqualTo("[512,512]");
        String align = submitted.get("id").asString();
        JsonNode r = succeeded(align).get("result");
        double before = r.at("/target/barrier").asDouble();
        double after = r.at("/aligned/barrier").asDouble();
        System.out.printf("mlp 784-512-512-10: line barrier %.4f, aligned %.4f, reduction %.3f, %d sweeps%n", before,
                after, r.get("barrierReduction").asDouble(), r.get("sweeps").asInt());
        assertThat(before).isGreaterThan(0.05);
        assertThat(after).isLessThanOrEqualTo(0.25 * before);
        assertThat(r.get("barrierReduction").asDouble()).isGreaterThanOrEqualTo(0.75);
        assertThat(r.get("functionDifference").asDouble()).isLessThanOrEqualTo(1e-5);
        assertThat(r.get("converged").asBoolean()).isTrue();
        assertThat(r.get("t").size()).isEqualTo(21);
        // Both lines start at the reference: the same network, the same loss there.
        assertThat(r.at("/aligned/trainLoss/0").asDouble()).isEqualTo(r.at("/target/trainLoss/0").asDouble());
        JsonNode job = api.job(align);
        assertThat(job.get("artifacts").findValuesAsString("name")).containsExactly("align.json", "align.png",
                "aligned.safetensors", "permutations.json");
        JsonNode permutations = ApiClient.JSON.readTree(api.download(align, "permutations.json"));
        assertThat(permutations.propertyNames()).containsExactly("layers.0", "layers.1");
        int[] first = new int[512];
        for (int i = 0; i < 512; i++) {
            first[i] = permutations.get("layers.0").get(i).asInt();
        }
        assertThat(Arrays.stream(first).sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 512)
                .toArray());

        // The aligned network by its job: the same weights, a row of the target's moved by the permutation.
        var target = PlainMlp.read(api.download(b, "model.safetensors"));
        var aligned = PlainMlp.read(api.download(align, "aligned.safetensors"));
        int row = 7;
        float[] expected = Arrays.copyOfRange(target.values().get("layers.0.weight"), first[row] * 784,
                first[row] * 784 + 784);
        assertThat(Arrays.copyOfRange(aligned.values().get("layers.0.weight"), row * 784, row * 784 + 784))
                .containsExactly(expected);
        String line = api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"line","points":[{"job":"%s"},{"job":"%s"}]},"resolution":[3,1],
                 "testSubset":1000,"trainSubset":1000}}""".formatted(a, align)).get("id").asString();
        JsonNode grid = api.job(line);
        assertThat(grid.at("/inputs/1/artifact").asString()).isEqualTo("aligned.safetensors");
        succeeded(line);
        assertThat(SafeTensors.read(api.download(align, "aligned.safetensors")).metadata())
                .containsEntry("arch", "mlp");
        swapPaths(a);
    }

    /**
     * Swap paths (Brea et al. 2019) on the trained reference: the two ends are the same function, so their losses
     * agree to float32 rounding, and the midpoint is the network whose two units coincide, which plain Java builds
     * from model.safetensors (rows i and j of layers.0, their biases and columns i and j of layers.1 averaged) and
     * evaluates on the whole test set.
     */
    private static void swapPaths(String network) throws Exception {
        JsonNode similar = succeeded(api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"swap","point":{"job":"%s"},"layer":"layers.0",
                 "units":"most-similar"},"metrics":["test_loss","test_accuracy"]}}""".formatted(network))
                .get("id").asString());
        JsonNode swap = similar.at("/result/swap");
        assertThat(similar.at("/result/resolution").toString()).isEqualTo("[21,1]");
        assertThat(swap.get("group").asString()).isEqualTo("layers.0");
        assertThat(swap.get("selection").asString()).isEqualTo("most-similar");
        int i = swap.at("/units/0").asInt();
        int j = swap.at("/units/1").asInt();
        assertThat(i).isNotEqualTo(j).isBetween(0, 511);
        assertThat(j).isBetween(0, 511);
        assertThat(swap.get("distance").asDouble()).isPositive();
        JsonNode loss = swap.at("/metrics/test_loss");
        System.out.printf("swap of units %d and %d of layers.0 (most similar, distance %.4f): test loss %.5f at the"
                + " ends, %.5f at the midpoint, barrier %.5f%n", i, j, swap.get("distance").asDouble(),
                loss.get("start").asDouble(), loss.get("midpoint").asDouble(), loss.get("barrier").asDouble());
        assertThat(loss.get("end").asDouble()).isCloseTo(loss.get("start").asDouble(),
                org.assertj.core.api.Assertions.within(1e-5 * loss.get("start").asDouble()));
        assertThat(loss.get("barrier").asDouble()).isGreaterThanOrEqualTo(0);

        var theta = PlainMlp.read(api.download(network, "model.safetensors"));
        double[] own = PlainMlp.onFashionMnistTest(theta);
        assertThat(loss.get("start").asDouble()).isCloseTo(own[1], org.assertj.core.api.Assertions.within(1e-4 * own[1]));
        var middle = new PlainMlp.Tensors(new java.util.LinkedHashMap<>(), theta.shapes());
        theta.values().forEach((name, v) -> middle.values().put(name, v.clone()));
        average(middle.values().get("layers.0.weight"), 784, 1, i, j);
        average(middle.values().get("layers.0.bias"), 1, 1, i, j);
        average(middle.values().get("layers.1.weight"), 1, 512, i, j);
        double[] atMiddle = PlainMlp.onFashionMnistTest(middle);
        assertThat(loss.get("midpoint").asDouble()).isCloseTo(atMiddle[1],
                org.assertj.core.api.Assertions.within(1e-4 * atMiddle[1]));
        assertThat(swap.at("/metrics/test_accuracy/midpoint").asDouble()).isCloseTo(atMiddle[0],
                org.assertj.core.api.Assertions.within(1.5e-4));

        JsonNode different = succeeded(api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"swap","point":{"job":"%s"},"layer":"layers.0",
                 "units":"most-different"},"metrics":["test_loss"]}}""".formatted(network)).get("id").asString())
                .at("/result/swap");
        JsonNode far = different.at("/metrics/test_loss");
        System.out.printf("swap of units %s of layers.0 (most different, distance %.4f): test loss %.5f at the ends,"
                + " %.5f at the midpoint, barrier %.5f%n", different.get("units"), different.get("distance").asDouble(),
                far.get("start").asDouble(), far.get("midpoint").asDouble(), far.get("barrier").asDouble());
        assertThat(different.get("distance").asDouble()).isGreaterThan(swap.get("distance").asDouble());
        assertThat(far.get("end").asDouble()).isCloseTo(far.get("start").asDouble(),
                org.assertj.core.api.Assertions.within(1e-5 * far.get("start").asDouble()));

        // Two units named, on the second layer, with the path run on past both ends.
        JsonNode given = succeeded(api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"swap","point":{"job":"%s"},"layer":"layers.1","units":[3,7]},
                 "resolution":[5,1],"range":{"x":[-0.5,1.5],"y":[0,0]},"metrics":["test_loss"],"testSubset":2000}}"""
                .formatted(network)).get("id").asString());
        JsonNode named = given.at("/result/swap");
        assertThat(named.get("units").toString()).isEqualTo("[3,7]");
        assertThat(named.get("selection").asString()).isEqualTo("given");
        assertThat(named.at("/metrics/test_loss/end").asDouble()).isCloseTo(named.at("/metrics/test_loss/start")
                .asDouble(), org.assertj.core.api.Assertions.within(1e-5 * named.at("/metrics/test_loss/start")
                .asDouble()));
    }

    /** Units i and j of a [rows, columns] matrix averaged: rows when {@code stride} is 1, else columns. */
    private static void average(float[] m, int rowLength, int stride, int i, int j) {
        if (stride == 1) {
            for (int k = 0; k < rowLength; k++) {
                float mean = (m[i * rowLength + k] + m[j * rowLength + k]) / 2;
                m[i * rowLength + k] = mean;
                m[j * rowLength + k] = mean;
            }
        } else {
            for (int r = 0; r < m.length / stride; r++) {
                float mean = (m[r * stride + i] + m[r * stride + j]) / 2;
                m[r * stride + i] = mean;
                m[r * stride + j] = mean;
            }
        }
    }

    @Test
    void badSpecsAre400sNamingTheField() throws Exception {
        String a = train("{\"arch\":\"mlp\",\"hidden\":[16]}", 1, ",\"trainSubset\":500,\"epochs\":1");
        String b = train("{\"arch\":\"mlp\",\"hidden\":[32]}", 2, ",\"trainSubset\":500,\"epochs\":1");
        String vgg = train("{\"arch\":\"vgg\",\"channels\":[4]}", 1, ",\"trainSubset\":100,\"epochs\":1");
        Map<String, String> swaps = Map.of(
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"},\"layer\":\"layers.1\"}", "spec.plane.layer",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"}}", "spec.plane.layer",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"},\"layer\":\"layers.0\",\"units\":[0,16]}",
                "spec.plane.units",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"},\"layer\":\"layers.0\",\"units\":[2,2]}",
                "spec.plane.units",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"},\"layer\":\"layers.0\",\"units\":\"nearest\"}",
                "spec.plane.units",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"},\"layer\":\"layers.0\"},\"resolution\":[20,1]",
                "spec.range.x",
                "{\"kind\":\"swap\",\"points\":[{\"job\":\"" + a + "\"}],\"layer\":\"layers.0\"}", "spec.plane.kind",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + vgg + "\"},\"layer\":\"features.0\"},"
                        + "\"recomputeBatchNorm\":false", "spec.recomputeBatchNorm",
                "{\"kind\":\"swap\",\"point\":{\"job\":\"" + a + "\"},\"layer\":\"layers.0\"},\"resolution\":[5,2]",
                "spec.resolution");
        for (var c : swaps.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", "{\"type\":\"grid\",\"spec\":{\"plane\":"
                    + c.getKey() + "}}");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }
        Map<String, String> cases = Map.of(
                "{\"reference\":{\"job\":\"" + a + "\"},\"target\":{\"job\":\"" + b + "\"}}", "spec.target",
                "{\"reference\":{\"job\":\"" + a + "\"}}", "spec.target",
                "{\"reference\":{\"job\":\"" + a + "\"},\"target\":{\"job\":\"" + a + "\"},\"method\":\"gradients\"}",
                "spec.method",
                "{\"reference\":{\"job\":\"" + a + "\"},\"target\":{\"job\":\"" + a + "\"},\"points\":1}",
                "spec.points",
                "{\"reference\":{\"job\":\"" + vgg + "\"},\"target\":{\"job\":\"" + vgg + "\"},"
                        + "\"method\":\"activations\"}", "spec.method");
        for (var c : cases.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", "{\"type\":\"align\",\"spec\":" + c.getKey() + "}");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey()).contains(c.getValue());
        }
    }
}
