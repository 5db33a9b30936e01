package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.worker.science.data.RegressionToy;
import dev.valley.worker.science.data.Split;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The 1-D regression picture ("Visualizing Mode Connectivity", figure 7) through the platform: two networks trained
 * from different seeds on regression-1d, a Bezier curve with one free bend between them, and its points drawn as
 * functions. Checked: the curve's training MSE stays within 25 % of the endpoints' everywhere; between the input
 * clusters the functions at t = 0, ½ and 1 differ by more than the noise level; and functions.npz equals a plain-Java,
 * double-precision forward of the downloaded endpoints and of the curve's point at t = ½ (from curve.safetensors).
 * Then every other job type on the same networks: fge, simplex, swa, compare and grid report MSE and no accuracy,
 * and a grid refuses an accuracy metric.
 */
class RegressionEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(10);

    private static JsonNode succeeded(String id) {
        return succeeded(id, LONG);
    }

    private static List<String> artifacts(JsonNode job) {
        return job.get("artifacts").findValuesAsString("name");
    }

    /** A field a regression leaves without a value: null (or left out). */
    private static void assertNoValue(JsonNode job, String pointer) {
        assertThat(job.at(pointer).isNull() || job.at(pointer).isMissingNode()).as(pointer + " in " + job).isTrue();
    }

    @Test
    void pointsAlongALowLossCurveAreDifferentFunctions() throws Exception {
        // No model: regression-1d's own, an mlp [200, 50, 50, 50] with one output.
        String a = submit("""
                {"type":"train","spec":{"dataset":"regression-1d","epochs":200,"lr":0.01,"seed":3}}""");
        String b = submit("""
                {"type":"train","spec":{"dataset":"regression-1d","epochs":200,"lr":0.01,"seed":4}}""");
        String curve = submit("""
                {"type":"curve","spec":{"endpoints":[{"job":"%s"},{"job":"%s"}],"curve":"bezier","bends":3,
                 "epochs":1000,"lr":0.05,"weightDecay":1e-4}}""".formatted(a, b));
        JsonNode trainedA = succeeded(a);
        JsonNode trainedB = succeeded(b);
        assertThat(trainedA.at("/spec/model/hidden").toString()).isEqualTo("[200,50,50,50]");
        assertNoValue(trainedA, "/result/trainAccuracy");
        assertNoValue(trainedA, "/result/history/0/testAccuracy");
        assertThat(artifacts(trainedA)).contains("model.safetensors", "functions.npz", "functions.png");

        // The endpoints' test MSE, by a second method: the downloaded weights in double on the generated split.
        Split test = RegressionToy.generate().test();
        PlainMlp.Tensors netA = PlainMlp.read(api.download(a, "model.safetensors"));
        PlainMlp.Tensors netB = PlainMlp.read(api.download(b, "model.safetensors"));
        assertThat(trainedA.at("/result/testLoss").asDouble()).isCloseTo(mse(netA, test), within(1e-5));
        assertThat(trainedB.at("/result/testLoss").asDouble()).isCloseTo(mse(netB, test), within(1e-5));
        // Fitted: within 4 times the noise's variance, the floor no network can go below.
        double noise = RegressionToy.NOISE * RegressionToy.NOISE;
        assertThat(trainedA.at("/result/trainLoss").asDouble()).isLessThan(4 * noise);

        JsonNode fitted = succeeded(curve);
        JsonNode path = fitted.at("/result/curvePath");
        double ends = (path.at("/trainLoss/0").asDouble() + path.at("/trainLoss/60").asDouble()) / 2;
        double highest = path.get("trainLoss").valueStream().mapToDouble(JsonNode::asDouble).max().orElseThrow();
        double lineHighest = fitted.at("/result/line/trainLoss").valueStream().mapToDouble(JsonNode::asDouble).max()
                .orElseThrow();
        assertNoValue(fitted, "/result/curvePath/trainAccuracy");
        assertNoValue(fitted, "/result/ensembles/endpointsAccuracy");
        assertNoValue(fitted, "/result/diversity");
        assertThat(path.get("summary").propertyNames()).containsExactlyInAnyOrder("trainLoss", "testLoss");
        assertThat(artifacts(fitted)).containsExactly("curve.json", "curve.npz", "curve.png", "curve.safetensors",
                "functions.npz", "functions.png");

        Map<String, TestFiles.NpyArray> functions = TestFiles.npz(api.download(curve, "functions.npz"));
        double[] x = functions.get("x").values();
        TestFiles.NpyArray predictions = functions.get("predictions");
        assertThat(predictions.shape()).containsExactly(61, x.length);
        PlainMlp.Tensors bends = PlainMlp.read(api.download(curve, "curve.safetensors"));
        double[] atStart = predictions.row(0);
        double[] atMiddle = predictions.row(30);
        double[] atEnd = predictions.row(60);
        double[][] columns = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            columns[i] = new double[] {(float) x[i]};
        }
        // Bernstein coefficients at t = ½ of a 3-point Bezier: ¼, ½, ¼.
        double[] middleByHand = column(PlainMlp.outputs(PlainMlp.curvePoint(bends, new double[] {0.25, 0.5, 0.25}),
                columns));
        double[] startByHand = column(PlainMlp.outputs(netA, columns));
        double[] endByHand = column(PlainMlp.outputs(netB, columns));
        for (int i = 0; i < x.length; i++) {
            assertThat(atStart[i]).as("t = 0 at x = %f", x[i]).isCloseTo(startByHand[i], within(1e-4));
            assertThat(atMiddle[i]).as("t = ½ at x = %f", x[i]).isCloseTo(middleByHand[i], within(1e-4));
            assertThat(atEnd[i]).as("t = 1 at x = %f", x[i]).isCloseTo(endByHand[i], within(1e-4));
        }
        assertThat(functions.get("train_x").values()).hasSize(RegressionToy.TRAIN);

        // In the gaps between the clusters (|x| in (0.1, 0.9)): the largest difference of each pair of functions.
        double startMiddle = 0;
        double middleEnd = 0;
        double startEnd = 0;
        for (int i = 0; i < x.length; i++) {
            double from = RegressionToy.HALF_WIDTH;
            double to = 1 - RegressionToy.HALF_WIDTH;
            if (Math.abs(x[i]) > from && Math.abs(x[i]) < to) {
                startMiddle = Math.max(startMiddle, Math.abs(atStart[i] - atMiddle[i]));
                middleEnd = Math.max(middleEnd, Math.abs(atMiddle[i] - atEnd[i]));
                startEnd = Math.max(startEnd, Math.abs(atStart[i] - atEnd[i]));
            }
        }
        System.out.printf("Figure 7 on regression-1d: train MSE along the curve at most %.5f, endpoints' mean %.5f"
                + " (ratio %.3f; the straight line's highest %.5f); noise variance %.4f. Largest difference in the"
                + " gaps: t=0 vs 1/2 %.3f, 1/2 vs 1 %.3f, 0 vs 1 %.3f (noise sd %.2f)%n", highest, ends,
                highest / ends, lineHighest, noise, startMiddle, middleEnd, startEnd, RegressionToy.NOISE);
        assertThat(highest).isLessThanOrEqualTo(1.25 * ends);
        assertThat(startMiddle).isGreaterThan(RegressionToy.NOISE);
        assertThat(middleEnd).isGreaterThan(RegressionToy.NOISE);
        assertThat(startEnd).isGreaterThan(RegressionToy.NOISE);

        otherJobsOnTheSameNetworks(a, b, noise);
    }

    private void otherJobsOnTheSameNetworks(String a, String b, double noise) throws Exception {
        String fge = submit("""
                {"type":"fge","spec":{"start":{"job":"%s"},"epochs":4,"cycle":2,"lr1":0.02,"lr2":0.001}}"""
                .formatted(a));
        String simplex = submit("""
                {"type":"simplex","spec":{"start":{"job":"%s"},"vertices":1,"epochsPerVertex":20,"lr":0.01,
                 "ensembleSize":4}}""".formatted(a));
        String swa = submit("""
                {"type":"swa","spec":{"dataset":"regression-1d","epochs":40,"lr":0.01,"swaLr":0.005,"seed":3}}""");
        String compare = submit("""
                {"type":"compare","spec":{"networks":[{"job":"%s"},{"job":"%s"}]}}""".formatted(a, b));
        String grid = submit("""
                {"type":"grid","spec":{"plane":{"kind":"line","points":[{"job":"%s"},{"job":"%s"}]},
                 "resolution":[5,1],"range":{"x":[0,1],"y":[0,0]}}}""".formatted(a, b));

        JsonNode snapshots = succeeded(fge);
        assertThat(snapshots.at("/result/snapshots").size()).isEqualTo(2);
        assertNoValue(snapshots, "/result/startTestAccuracy");
        assertNoValue(snapshots, "/result/snapshots/1/ensembleTestAccuracy");
        assertNoValue(snapshots, "/result/diversity");
        assertThat(artifacts(snapshots)).contains("functions.npz", "functions.png").doesNotContain("diversity.npz");
        assertThat(TestFiles.npz(api.download(fge, "functions.npz")).get("predictions").shape()[0]).isEqualTo(2);

        JsonNode grown = succeeded(simplex);
        assertNoValue(grown, "/result/samples/testAccuracyMean");
        assertNoValue(grown, "/result/vertices/0/testAccuracy");
        // Every sample of the simplex grown from a is a network about as good as a.
        double startLoss = grown.at("/result/vertices/0/testLoss").asDouble();
        System.out.printf("regression simplex: start test MSE %.5f, 100 samples %.5f to %.5f; ensemble of 4 %.5f%n",
                startLoss, grown.at("/result/samples/testLossMin").asDouble(),
                grown.at("/result/samples/testLossMax").asDouble(), grown.at("/result/ensembles/3/testLoss").asDouble());
        assertThat(grown.at("/result/samples/testLossMax").asDouble()).isLessThan(1.5 * startLoss);
        assertThat(artifacts(grown)).contains("functions.npz", "functions.png", "simplex.png");
        assertThat(TestFiles.npz(api.download(simplex, "functions.npz")).get("predictions").shape()[0]).isEqualTo(4);

        JsonNode averaged = succeeded(swa);
        assertThat(averaged.at("/spec/model/hidden").toString()).isEqualTo("[200,50,50,50]");
        assertNoValue(averaged, "/result/swa/testAccuracy");
        System.out.printf("regression swa: test MSE %.5f (SGD %.5f); noise variance %.4f%n",
                averaged.at("/result/swa/testLoss").asDouble(), averaged.at("/result/sgd/testLoss").asDouble(), noise);
        assertThat(averaged.at("/result/swa/testLoss").asDouble())
                .isLessThan(1.05 * averaged.at("/result/sgd/testLoss").asDouble());

        JsonNode compared = succeeded(compare);
        assertNoValue(compared, "/result/diversity");
        assertThat(artifacts(compared)).contains("functions.npz", "functions.png");

        // The line's ends are the networks: their train MSE, as the train jobs measured it.
        JsonNode line = succeeded(grid);
        assertThat(line.at("/spec/metrics").toString()).isEqualTo("[\"train_loss\",\"test_loss\"]");
        Map<String, TestFiles.NpyArray> values = TestFiles.npz(api.download(grid, "grid.npz"));
        double[] trainLoss = values.get("train_loss").values();
        assertThat(trainLoss[0]).isCloseTo(api.job(a).at("/result/trainLoss").asDouble(), within(1e-5));
        assertThat(trainLoss[4]).isCloseTo(api.job(b).at("/result/trainLoss").asDouble(), within(1e-5));

        HttpResponse<String> refused = api.post("/api/v1/jobs", """
                {"type":"grid","spec":{"plane":{"kind":"line","points":[{"job":"%s"},{"job":"%s"}]},
                 "resolution":[5,1],"metrics":["train_loss","test_accuracy"]}}""".formatted(a, b));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("spec.metrics").contains("regression");
    }

    private static double mse(PlainMlp.Tensors net, Split split) {
        double[][] out = PlainMlp.outputs(net, PlainMlp.rows(split));
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            double e = out[i][0] - split.targets()[i];
            sum += e * e;
        }
        return sum / out.length;
    }

    private static double[] column(double[][] rows) {
        double[] c = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            c[i] = rows[i][0];
        }
        return c;
    }
}
