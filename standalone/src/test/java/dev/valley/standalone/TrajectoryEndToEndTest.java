package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.worker.science.io.SafeTensors;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A training run's trajectory on the plane of its principal components (Li et al. 2018, §7): a 10-epoch train keeps
 * its weights every epoch; the grid's plane is centred on the final weights, which project to (0, 0) and, being the
 * origin itself, have the plane's loss there; the explained variance ratios lie in [0, 1] and sum to at most 1; every
 * kept network is reported as it is and at its projection. trajectory.safetensors holds the start, which is the
 * seed's initialisation (the same as a 1-epoch run's first kept network). Bad specs are 400s naming the field.
 */
class TrajectoryEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void aRunsPathLiesOnThePlaneOfItsPrincipalComponents() throws Exception {
        String run = submit("""
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[64]},"epochs":10,
                 "lr":0.05,"seed":4,"trainSubset":2000,"trajectory":1}}""");
        String grid = submit("""
                {"type":"grid","spec":{"plane":{"kind":"trajectory","trajectory":{"job":"%s"}},"resolution":[9,9],
                 "tile":[5,5],"trainSubset":1000,"testSubset":1000,"metrics":["train_loss","test_accuracy"]}}"""
                .formatted(run));
        JsonNode trained = succeeded(run, LONG);
        assertThat(trained.get("artifacts").findValuesAsString("name")).contains("trajectory.safetensors");
        SafeTensors.Contents kept = SafeTensors.read(api.download(run, "trajectory.safetensors"));
        assertThat(kept.metadata().get("format")).isEqualTo("valley/trajectory-v1");
        assertThat(kept.metadata().get("epochs")).isEqualTo("0,1,2,3,4,5,6,7,8,9,10");
        // The last kept network is the run's own result.
        SafeTensors.Contents model = SafeTensors.read(api.download(run, "model.safetensors"));
        assertThat(kept.tensors().get("steps.10.layers.0.weight").floats())
                .containsExactly(model.tensors().get("layers.0.weight").floats());

        JsonNode done = succeeded(grid, LONG);
        JsonNode r = done.get("result");
        assertThat(done.at("/spec/range/x").toString()).isEqualTo("[-1.2,1.2]");
        JsonNode trajectory = r.get("trajectory");
        double r1 = trajectory.at("/explainedVarianceRatio/0").asDouble();
        double r2 = trajectory.at("/explainedVarianceRatio/1").asDouble();
        JsonNode path = trajectory.get("path");
        JsonNode last = path.get(10);
        JsonNode first = path.get(0);
        System.out.printf("trajectory of a 10-epoch run: explained variance %.3f + %.3f; scale %.3f, %.3f; start at"
                + " (%.3f, %.3f), train loss there %.4f, on the plane %.4f; end %.4f, on the plane %.4f%n", r1, r2,
                trajectory.at("/scale/0").asDouble(), trajectory.at("/scale/1").asDouble(), first.get("x").asDouble(),
                first.get("y").asDouble(), first.at("/atStep/train_loss").asDouble(),
                first.at("/onPlane/train_loss").asDouble(), last.at("/atStep/train_loss").asDouble(),
                last.at("/onPlane/train_loss").asDouble());
        assertThat(r1).isBetween(0.0, 1.0);
        assertThat(r2).isBetween(0.0, r1);
        assertThat(r1 + r2).isLessThanOrEqualTo(1.0);
        assertThat(path).hasSize(11);
        assertThat(path.findValues("epoch").stream().map(JsonNode::asInt).toList())
                .isEqualTo(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        assertThat(last.get("x").asDouble()).isZero();
        assertThat(last.get("y").asDouble()).isZero();
        // The path spans [-1, 1] on each axis, the start on the positive side.
        double maxX = path.findValues("x").stream().mapToDouble(n -> Math.abs(n.asDouble())).max().orElseThrow();
        double maxY = path.findValues("y").stream().mapToDouble(n -> Math.abs(n.asDouble())).max().orElseThrow();
        assertThat(maxX).isCloseTo(1, within(1e-12));
        assertThat(maxY).isCloseTo(1, within(1e-12));
        assertThat(first.get("x").asDouble()).isPositive();
        // The origin is the final network: the same loss, as it is and on the plane; and the grid's own point
        // at (0, 0) (the middle of 9 × 9 over [-1.2, 1.2]) has it too.
        double end = last.at("/atStep/train_loss").asDouble();
        assertThat(last.at("/onPlane/train_loss").asDouble()).isCloseTo(end, within(1e-5));
        Map<String, TestFiles.NpyArray> values = TestFiles.npz(api.download(grid, "grid.npz"));
        assertThat(values.get("train_loss").values()[4 * 9 + 4]).isCloseTo(end, within(1e-5));
        // Training lowered the loss, start to end.
        assertThat(first.at("/atStep/train_loss").asDouble()).isGreaterThan(end);
        assertThat(r.get("markers").findValuesAsString("label")).containsExactly("epoch 0", "epoch 10");
        assertThat(done.get("artifacts").findValuesAsString("name")).contains("grid-train_loss.png");
    }

    @Test
    void badTrajectorySpecsAre400sNamingTheField() throws Exception {
        String plain = submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":2}}""");
        Map<String, String> bad = Map.of(
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"},\"epochs\":4,"
                        + "\"trajectory\":4}}", "spec.trajectory",
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"},\"epochs\":500,"
                        + "\"trajectory\":2}}", "spec.trajectory",
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"},\"epochs\":4,"
                        + "\"trajectory\":0}}", "spec.trajectory",
                grid("{\"job\":\"" + plain + "\"}"), "spec.plane.trajectory.job",
                grid("{\"job\":\"00000000-0000-0000-0000-000000000009\"}"), "spec.plane.trajectory.job",
                "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"trajectory\"}}}", "spec.plane.kind");
        for (var c : bad.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", c.getKey());
            assertThat(response.statusCode()).as(c.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }
        HttpResponse<String> kept = api.post("/api/v1/jobs", grid("{\"job\":\"" + plain + "\"}"));
        assertThat(kept.body()).contains("kept no trajectory");
    }

    private static String grid(String ref) {
        return "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"trajectory\",\"trajectory\":" + ref + "}}}";
    }
}
