package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.worker.science.io.SafeTensors;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A curve's plane while it trains (the frames of Garipov et al.'s animation): a 3-bend curve between two
 * Fashion-MNIST MLPs keeps its bend at the start and after each of 6 epochs; a 31 × 31 grid with frames computes
 * one plane per snapshot. Seven frames; along the curve of the first (the straight line, where the bend starts) the
 * loss has a high barrier, along the last a low one, read off each frame by bilinear interpolation at the curve's
 * samples (the test's own); and the last frame is the plain grid of the finished curve's plane, to 1e-6. The GIF
 * holds seven images. Bad specs are 400s naming the field.
 */
class FramesEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(10);

    @Test
    void theTunnelOpensFrameByFrameAndTheLastFrameIsThePlainGrid() throws Exception {
        String endpoint = """
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[128]},"epochs":5,
                 "lr":0.05,"seed":%d,"trainSubset":5000}}""";
        String a = submit(endpoint.formatted(1));
        String b = submit(endpoint.formatted(2));
        String curve = submit("""
                {"type":"curve","spec":{"endpoints":[{"job":"%s"},{"job":"%s"}],"epochs":6,"lr":0.05,
                 "trainSubset":5000,"points":5,"snapshots":"epochs"}}""".formatted(a, b));
        String grid = """
                {"type":"grid","spec":{"plane":{"kind":"curve","curve":{"job":"%s"}%s},"resolution":[31,31],
                 "tile":[16,16],"trainSubset":2000,"testSubset":500,"metrics":["train_loss","test_accuracy"]}}""";
        String frames = submit(grid.formatted(curve, ",\"frames\":\"snapshots\""));
        String plain = submit(grid.formatted(curve, ""));

        JsonNode fitted = succeeded(curve, LONG);
        SafeTensors.Contents history = SafeTensors.read(api.download(curve, "curve-history.safetensors"));
        assertThat(history.metadata().get("epochs")).isEqualTo("0,1,2,3,4,5,6");
        SafeTensors.Contents finished = SafeTensors.read(api.download(curve, "curve.safetensors"));
        assertThat(history.tensors().get("snapshots.6.bends.1.layers.0.weight").floats())
                .containsExactly(finished.tensors().get("bends.1.layers.0.weight").floats());
        assertThat(fitted.get("artifacts").findValuesAsString("name")).contains("curve-history.safetensors");

        JsonNode done = succeeded(frames, LONG);
        JsonNode alone = succeeded(plain, LONG);
        JsonNode result = done.get("result");
        assertThat(result.get("frames")).hasSize(7);
        assertThat(result.get("frames").findValues("epoch").stream().map(JsonNode::asInt).toList())
                .containsExactly(0, 1, 2, 3, 4, 5, 6);
        Map<String, TestFiles.NpyArray> npz = TestFiles.npz(api.download(frames, "frames.npz"));
        TestFiles.NpyArray loss = npz.get("train_loss");
        assertThat(loss.shape()).containsExactly(7, 31, 31);
        double[] xs = npz.get("x").values();
        double[] ys = npz.get("y").values();
        double[] barriers = new double[7];
        for (int f = 0; f < 7; f++) {
            double[] cx = npz.get("curve_x").row(f);
            double[] cy = npz.get("curve_y").row(f);
            double[] along = new double[cx.length];
            for (int k = 0; k < cx.length; k++) {
                along[k] = bilinear(loss.values(), f, xs, ys, cx[k], cy[k]);
            }
            double ends = (along[0] + along[along.length - 1]) / 2;
            barriers[f] = java.util.Arrays.stream(along).max().orElseThrow() - ends;
        }
        System.out.printf("frames of a curve's fit (mlp [128], 31 × 31, 7 frames): train-loss barrier along the curve"
                + " %s; %.1f points/s with frames (%s), %.1f points/s for the plain grid%n",
                java.util.Arrays.toString(java.util.Arrays.stream(barriers).map(v -> Math.round(v * 1e4) / 1e4)
                        .toArray()), result.get("pointsPerSecond").asDouble(), result.get("evaluator").asString(),
                alone.at("/result/pointsPerSecond").asDouble());
        assertThat(barriers[0]).isGreaterThan(0.2);
        assertThat(barriers[6]).isLessThan(barriers[0] / 3);

        // The last frame is the finished curve's plane: the plain grid's values, the grid's own, the same markers.
        double[] last = java.util.Arrays.copyOfRange(loss.values(), 6 * 31 * 31, 7 * 31 * 31);
        double[] alone1 = TestFiles.npz(api.download(plain, "grid.npz")).get("train_loss").values();
        double[] own = TestFiles.npz(api.download(frames, "grid.npz")).get("train_loss").values();
        for (int i = 0; i < last.length; i++) {
            assertThat(last[i]).isCloseTo(alone1[i], within(1e-6));
            assertThat(own[i]).isCloseTo(last[i], within(1e-12));
        }
        assertThat(result.get("markers").toString()).isEqualTo(alone.at("/result/markers").toString());
        // The first frame's bend lies on the line between the endpoints (initLinear): at y = 1 of its own plane,
        // the bend's x is the midpoint's, ½.
        assertThat(result.at("/frames/0/markers/2/x").asDouble()).isCloseTo(0.5, within(1e-3));

        assertThat(done.get("artifacts").findValuesAsString("name")).contains("frames.json",
                "frames-train_loss.gif", "frames-test_accuracy.gif");
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(
                api.download(frames, "frames-train_loss.gif")))) {
            ImageReader reader = ImageIO.getImageReaders(in).next();
            reader.setInput(in);
            assertThat(reader.getFormatName()).isEqualToIgnoringCase("gif");
            assertThat(reader.getNumImages(true)).isEqualTo(7);
        }
        HttpResponse<String> head = api.get("/api/v1/jobs/" + frames);
        assertThat(ApiClient.JSON.readTree(head.body()).get("artifacts").findValues("contentType").stream()
                .map(JsonNode::asString).toList()).contains("image/gif");
    }

    @Test
    void badFramesSpecsAre400sNamingTheField() throws Exception {
        String a = submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":2}}""");
        String b = submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":2,"seed":1}}""");
        String kept = "{\"type\":\"curve\",\"spec\":{\"endpoints\":[{\"job\":\"" + a + "\"},{\"job\":\"" + b
                + "\"}],\"epochs\":4,\"snapshots\":%s}}";
        String none = submit("{\"type\":\"curve\",\"spec\":{\"endpoints\":[{\"job\":\"" + a + "\"},{\"job\":\"" + b
                + "\"}],\"epochs\":2}}");
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(kept.formatted("0"), "spec.snapshots");
        bad.put(kept.formatted("5"), "spec.snapshots");
        bad.put(kept.formatted("\"weekly\""), "spec.snapshots");
        bad.put("{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"curve\",\"curve\":{\"job\":\"" + none
                + "\"},\"frames\":\"snapshots\"}}}", "spec.plane.curve.job");
        bad.put("{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"curve\",\"curve\":{\"job\":\"" + none
                + "\"},\"frames\":\"epochs\"}}}", "spec.plane.frames");
        bad.put("{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"line\",\"points\":[{\"job\":\"" + a
                + "\"},{\"job\":\"" + b + "\"}],\"frames\":\"snapshots\"}}}", "spec.plane.frames");
        for (var c : bad.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", c.getKey());
            assertThat(response.statusCode()).as(c.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }
        assertThat(api.post("/api/v1/jobs", "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"curve\",\"curve\":"
                + "{\"job\":\"" + none + "\"},\"frames\":\"snapshots\"}}}").body()).contains("kept no snapshots");
        // Every k epochs keeps the last one too: 4 epochs every 3 keep 0, 3 and 4.
        String every = submit(kept.formatted("3"));
        succeeded(every, LONG);
        assertThat(SafeTensors.read(api.download(every, "curve-history.safetensors")).metadata().get("epochs"))
                .isEqualTo("0,3,4");
    }

    /** The loss at (x, y) of frame f by bilinear interpolation between the grid's four neighbouring points. */
    private static double bilinear(double[] values, int f, double[] xs, double[] ys, double x, double y) {
        int nx = xs.length;
        int ny = ys.length;
        double fx = (x - xs[0]) / (xs[nx - 1] - xs[0]) * (nx - 1);
        double fy = (y - ys[0]) / (ys[ny - 1] - ys[0]) * (ny - 1);
        int i = Math.max(0, Math.min(nx - 2, (int) Math.floor(fx)));
        int j = Math.max(0, Math.min(ny - 2, (int) Math.floor(fy)));
        double u = fx - i;
        double v = fy - j;
        int base = f * nx * ny;
        double a = values[base + j * nx + i];
        double b = values[base + j * nx + i + 1];
        double c = values[base + (j + 1) * nx + i];
        double d = values[base + (j + 1) * nx + i + 1];
        return (1 - u) * (1 - v) * a + u * (1 - v) * b + (1 - u) * v * c + u * v * d;
    }
}
