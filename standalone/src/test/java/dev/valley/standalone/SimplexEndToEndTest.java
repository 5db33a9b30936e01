package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.worker.science.io.SafeTensors;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A simplex of low loss (Benton et al. 2021) through the platform: grown by 2 vertices from a 784-512-512-10 MLP
 * trained 3 epochs on Fashion-MNIST (the simplex trains on a seeded 10,000-example subset, 5 epochs per vertex, to
 * fit the test budget). None of 100 uniform samples falls more than 1 point below the start's test accuracy (a
 * sample may rise above it by more: the 3-epoch start is under-trained, and the vertices train on; CI once saw a
 * sample 1.2 points above), and the ensemble of 10 samples (ESPRO) beats the start network in accuracy and NLL. The first vertex in
 * simplex.safetensors is the start network itself, and so is the origin of a grid on the simplex's plane. Bad specs are
 * 400s naming the field.
 */
class SimplexEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(15);

    @Test
    void aSimplexGrownFromANetworkKeepsItsAccuracyAndItsSamplesEnsembleBetter() throws Exception {
        String start = api.submit("""
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},
                 "epochs":3,"seed":1}}""").get("id").asString();
        String id = api.submit("""
                {"type":"simplex","spec":{"start":{"job":"%s"},"vertices":2,"epochsPerVertex":5,
                 "trainSubset":10000,"seed":1}}""".formatted(start)).get("id").asString();
        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        JsonNode r = done.get("result");
        double startAccuracy = api.job(start).at("/result/testAccuracy").asDouble();
        double startLoss = api.job(start).at("/result/testLoss").asDouble();
        JsonNode samples = r.get("samples");
        JsonNode espro = r.at("/ensembles/9");
        System.out.printf("simplex of 3 vertices from a network of test accuracy %.4f (NLL %.4f): 100 samples %.4f to"
                + " %.4f (mean %.4f); ESPRO of 10: %.4f (NLL %.4f); log volume %.2f%n", startAccuracy, startLoss,
                samples.get("testAccuracyMin").asDouble(), samples.get("testAccuracyMax").asDouble(),
                samples.get("testAccuracyMean").asDouble(), espro.get("testAccuracy").asDouble(),
                espro.get("testLoss").asDouble(), r.get("logVolume").asDouble());
        assertThat(r.get("vertices")).hasSize(3);
        assertThat(r.at("/vertices/0/fixed").asBoolean()).isTrue();
        assertThat(r.at("/vertices/2/fixed").asBoolean()).isFalse();
        // The first vertex is the start network: the same test accuracy (its own statistics; an MLP has none).
        assertThat(r.at("/vertices/0/testAccuracy").asDouble()).isCloseTo(startAccuracy, within(1e-4));
        assertThat(samples.get("count").asInt()).isEqualTo(100);
        assertThat(samples.get("testAccuracyMin").asDouble()).isGreaterThanOrEqualTo(startAccuracy - 0.01);
        assertThat(samples.get("testAccuracyMax").asDouble()).isGreaterThanOrEqualTo(
                samples.get("testAccuracyMin").asDouble());
        assertThat(espro.get("size").asInt()).isEqualTo(10);
        assertThat(espro.get("testAccuracy").asDouble()).isGreaterThan(startAccuracy);
        assertThat(espro.get("testLoss").asDouble()).isLessThan(startLoss);
        assertThat(r.get("volume").asDouble()).isPositive();
        assertThat(r.get("history")).hasSize(10);
        assertThat(r.at("/diversity/members").size()).isEqualTo(10);
        assertThat(done.get("artifacts").findValuesAsString("name")).contains("simplex.safetensors", "simplex.json",
                "simplex.npz", "simplex.png", "diversity.npz");

        var file = SafeTensors.read(api.download(id, "simplex.safetensors"));
        assertThat(file.metadata()).containsEntry("vertices", "3").containsEntry("fixed", "1");
        var own = PlainMlp.read(api.download(start, "model.safetensors"));
        var vertices = PlainMlp.read(api.download(id, "simplex.safetensors"));
        assertThat(vertices.values().get("vertices.0.layers.1.weight")).containsExactly(
                own.values().get("layers.1.weight"));

        // The plane through its three vertices: vertex 0 at (0, 0) is the start network itself.
        JsonNode grid = api.awaitEnd(api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"simplex","simplex":{"job":"%s"}},"resolution":[2,2],
                 "range":{"x":[0,1],"y":[0,1]},"metrics":["test_accuracy"]}}""".formatted(id)).get("id").asString(),
                LONG);
        assertThat(grid.get("status").asString()).as(grid.toString()).isEqualTo("SUCCEEDED");
        assertThat(grid.at("/result/markers").findValuesAsString("label")).containsExactly("vertex 0", "vertex 1",
                "vertex 2");
        JsonNode values = ApiClient.JSON.readTree(api.download(grid.get("id").asString(), "grid.json"));
        assertThat(values.at("/values/test_accuracy/0/0").asDouble()).isCloseTo(startAccuracy, within(1e-6));

        Map<String, String> planes = Map.of(
                "{\"kind\":\"simplex\",\"simplex\":{\"job\":\"" + id + "\"},\"vertices\":[0,1,5]}",
                "spec.plane.vertices",
                "{\"kind\":\"simplex\",\"simplex\":{\"job\":\"" + id + "\"},\"vertices\":[0,1,1]}",
                "spec.plane.vertices",
                "{\"kind\":\"simplex\",\"simplex\":{\"job\":\"" + start + "\"}}", "spec.plane.simplex.job",
                "{\"kind\":\"line\",\"points\":[{\"job\":\"" + id + "\"},{\"job\":\"" + start + "\"}]}",
                "spec.plane.points[0].job");
        for (var c : planes.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", "{\"type\":\"grid\",\"spec\":{\"plane\":"
                    + c.getKey() + "}}");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }

        Map<String, String> bad = Map.of(
                "{\"start\":{\"job\":\"" + start + "\"},\"vertices\":0}", "spec.vertices",
                "{\"start\":{\"job\":\"" + start + "\"},\"volumeWeight\":-1}", "spec.volumeWeight",
                "{\"modes\":[{\"job\":\"" + start + "\"}]}", "spec.modes",
                "{\"start\":{\"job\":\"" + start + "\"},\"modes\":[{\"job\":\"" + start + "\"},{\"job\":\"" + start
                        + "\"}]}", "spec.start",
                "{}", "spec.start");
        for (var c : bad.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", "{\"type\":\"simplex\",\"spec\":" + c.getKey()
                    + "}");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }
    }
}
