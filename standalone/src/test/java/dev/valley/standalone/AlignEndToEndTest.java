package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import dev.valley.worker.science.io.SafeTensors;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Align jobs through the whole platform: two 784-512-512-10 MLPs trained on Fashion-MNIST from seeds 1 and 2 for
 * 3 epochs, the second aligned to the first (Git Re-Basin's weight matching); the aligned network is the target's
 * function, its straight line to the reference has at most a quarter of the unaligned line's barrier (the issue's
 * bound), and {@code {"job": <align>}} names it, so a grid can start from it. Bad specs are 400s naming the field.
 */
class AlignEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(10);
    private static Valley valley;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0"));
        api = new ApiClient(valley);
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static JsonNode succeeded(String id) {
        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
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
    }

    @Test
    void badSpecsAre400sNamingTheField() throws Exception {
        String a = train("{\"arch\":\"mlp\",\"hidden\":[16]}", 1, ",\"trainSubset\":500,\"epochs\":1");
        String b = train("{\"arch\":\"mlp\",\"hidden\":[32]}", 2, ",\"trainSubset\":500,\"epochs\":1");
        Map<String, String> cases = Map.of(
                "{\"reference\":{\"job\":\"" + a + "\"},\"target\":{\"job\":\"" + b + "\"}}", "spec.target",
                "{\"reference\":{\"job\":\"" + a + "\"}}", "spec.target",
                "{\"reference\":{\"job\":\"" + a + "\"},\"target\":{\"job\":\"" + a + "\"},\"method\":\"gradients\"}",
                "spec.method",
                "{\"reference\":{\"job\":\"" + a + "\"},\"target\":{\"job\":\"" + a + "\"},\"points\":1}",
                "spec.points");
        for (var c : cases.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", "{\"type\":\"align\",\"spec\":" + c.getKey() + "}");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey()).contains(c.getValue());
        }
    }
}
