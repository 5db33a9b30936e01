package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.worker.science.io.SafeTensors;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Hessian of the Fashion-MNIST MLP 784-512-512-10 over 5,000 training examples, checked a second way: the
 * loss on the hessian plane, evaluated by a grid on the same examples, curves as the eigenvalues say. Its second
 * differences along the axes, (L(h) − 2L(0) + L(−h)) / h², are λ1 and λ2 (the plane's directions being unit
 * eigenvectors), and across them (the mixed difference) v1ᵀHv2 = 0. The top eigenvalue is reproducible within 1 %
 * from other starting vectors; the plane's centre is the network, with the job's loss. Bad specs are 400s naming the
 * field.
 */
class HessianEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(10);

    @Test
    void theHessianPlaneCurvesAsTheEigenvaluesSay() throws Exception {
        String run = submit("""
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},"epochs":3,
                 "lr":0.05,"seed":4,"trainSubset":5000}}""");
        String hessian = """
                {"type":"hessian","spec":{"network":{"job":"%s"},"subset":5000,"seed":7,"vectorSeed":%d,"probes":10}}""";
        String first = submit(hessian.formatted(run, 1));
        String second = submit(hessian.formatted(run, 2));
        JsonNode a = succeeded(first, LONG).get("result");
        JsonNode b = succeeded(second, LONG).get("result");
        double l1 = a.at("/eigenvalues/0").asDouble();
        double l2 = a.at("/eigenvalues/1").asDouble();
        System.out.printf("hessian of mlp [512, 512] over 5000 examples: λ = %s (%s products) and %s from another"
                + " start; trace %s ± %s (hutchinson, %s probes); loss %.4f, |g| %.4f; %.3f s per product, %.1f s%n",
                a.get("eigenvalues"), a.get("iterations"), b.get("eigenvalues"), a.get("trace"),
                a.get("traceStandardError"), a.get("probes"), a.get("loss").asDouble(),
                a.get("gradientNorm").asDouble(), a.get("secondsPerProduct").asDouble(), a.get("seconds").asDouble());
        assertThat(a.get("examples").asInt()).isEqualTo(5000);
        assertThat(a.get("parameters").asLong()).isEqualTo(784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10);
        assertThat(a.get("batchNorm").asString()).isEqualTo("none");
        assertThat(a.get("traceMethod").asString()).isEqualTo("hutchinson");
        assertThat(a.get("converged").get(0).asBoolean()).isTrue();
        assertThat(l1).isPositive();
        assertThat(Math.abs(l2)).isLessThanOrEqualTo(l1 * (1 + 1e-3));
        assertThat(b.at("/eigenvalues/0").asDouble()).isCloseTo(l1, within(0.01 * l1));
        // Hutchinson's trace is at least the top eigenvalue's share, give or take its error, at a minimum's
        // nearly positive spectrum.
        assertThat(a.get("trace").asDouble() + 4 * a.get("traceStandardError").asDouble()).isGreaterThan(l1);

        SafeTensors.Contents file = SafeTensors.read(api.download(first, "eigenvectors.safetensors"));
        assertThat(file.metadata().get("format")).isEqualTo("valley/hessian-v1");
        assertThat(file.tensors()).containsKeys("network.layers.0.weight", "eigenvectors.0.layers.0.weight",
                "eigenvectors.1.layers.2.bias");

        // A 3 × 3 grid at ±h on the same 5,000 examples (the same seed and subset): where ½λ1h² is about 0.01.
        double h = Math.sqrt(0.02 / l1);
        String grid = submit("""
                {"type":"grid","spec":{"plane":{"kind":"hessian","hessian":{"job":"%s"}},"resolution":[3,3],
                 "range":{"x":[%s,%s],"y":[%s,%s]},"trainSubset":5000,"testSubset":100,"seed":7,
                 "metrics":["train_loss"]}}""".formatted(first, -h, h, -h, h));
        JsonNode done = succeeded(grid, LONG);
        double[] loss = TestFiles.npz(api.download(grid, "grid.npz")).get("train_loss").values();
        double centre = loss[4];
        double alongX = (loss[5] - 2 * centre + loss[3]) / (h * h);
        double alongY = (loss[7] - 2 * centre + loss[1]) / (h * h);
        double mixed = (loss[8] - loss[6] - loss[2] + loss[0]) / (4 * h * h);
        System.out.printf("second differences on the hessian plane at h = %.4f: %.4f along x (λ1 %.4f), %.4f along y"
                + " (λ2 %.4f), %.4f across%n", h, alongX, l1, alongY, l2, mixed);
        assertThat(centre).isCloseTo(a.get("loss").asDouble(), within(1e-5));
        assertThat(alongX).isCloseTo(l1, within(0.05 * l1));
        assertThat(alongY).isCloseTo(l2, within(0.1 * Math.abs(l2)));
        assertThat(Math.abs(mixed)).isLessThan(0.05 * l1);
        assertThat(done.get("result").get("markers").findValuesAsString("label")).containsExactly("network");
    }

    @Test
    void badHessianSpecsAre400sNamingTheField() throws Exception {
        String plain = submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":2}}""");
        String one = submit("""
                {"type":"hessian","spec":{"network":{"job":"%s"},"top":1,"trace":false}}""".formatted(plain));
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(hessian("{\"job\":\"" + plain + "\"},\"top\":0"), "spec.top");
        bad.put(hessian("{\"job\":\"" + plain + "\"},\"top\":21"), "spec.top");
        bad.put(hessian("{\"job\":\"" + plain + "\"},\"tolerance\":1.5"), "spec.tolerance");
        bad.put(hessian("{\"job\":\"" + plain + "\"},\"probes\":0"), "spec.probes");
        bad.put(hessian("{\"job\":\"" + plain + "\"},\"maxIterations\":0"), "spec.maxIterations");
        bad.put(hessian("{\"job\":\"00000000-0000-0000-0000-000000000009\"}"), "spec.network.job");
        bad.put(hessian("{\"job\":\"" + one + "\"}"), "spec.network.job");
        bad.put(plane("{\"job\":\"" + plain + "\"}"), "spec.plane.hessian.job");
        bad.put(plane("{\"job\":\"" + one + "\"}"), "spec.plane.hessian.job");
        bad.put("{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"hessian\"}}}", "spec.plane.kind");
        for (var c : bad.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", c.getKey());
            assertThat(response.statusCode()).as(c.getKey() + ": " + response.body()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }
        assertThat(api.post("/api/v1/jobs", plane("{\"job\":\"" + one + "\"}")).body()).contains("top 2 or more");
        JsonNode measured = succeeded(one, LONG).get("result");
        assertThat(measured.get("eigenvalues")).hasSize(1);
        assertThat(measured.get("trace").isNull()).isTrue();
    }

    private static String hessian(String network) {
        return "{\"type\":\"hessian\",\"spec\":{\"network\":" + network + "}}";
    }

    private static String plane(String ref) {
        return "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"hessian\",\"hessian\":" + ref + "}}}";
    }
}
