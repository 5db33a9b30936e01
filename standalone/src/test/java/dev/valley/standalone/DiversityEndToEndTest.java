package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.data.Split;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Functional diversity through the platform, and Fort et al. 2019's claim on Fashion-MNIST MLPs 784-512-512-10
 * (trained on a seeded 10,000-example subset): four snapshots of one FGE run disagree less than four independently
 * trained networks, and the independent networks make the better ensemble. A compare job's disagreement and accuracies equal a plain-Java,
 * double-precision evaluation of the downloaded weights.
 */
class DiversityEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(10);

    private static JsonNode succeeded(String id) {
        return succeeded(id, LONG);
    }

    @Test
    void snapshotsOfOneRunAgreeMoreThanIndependentNetworksWhichEnsembleBetter() throws Exception {
        // Every independent network trains 9 epochs, as many as the last snapshot has had (2 before FGE and 7 in it),
        // so the independent ensemble's members are trained no less than the snapshots are.
        List<String> independent = new ArrayList<>();
        for (int seed = 1; seed <= 4; seed++) {
            independent.add(submit("""
                    {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},
                     "epochs":9,"seed":%d,"trainSubset":10000}}""".formatted(seed)));
        }
        String start = submit("""
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},
                 "epochs":2,"seed":5,"trainSubset":10000}}""");
        // Snapshots at the middle of each 2-epoch cycle: epochs 1, 3, 5 and 7.
        String fge = submit("""
                {"type":"fge","spec":{"start":{"job":"%s"},"epochs":8,"cycle":2,"trainSubset":10000}}""".formatted(start));
        String compare = submit("""
                {"type":"compare","spec":{"networks":[{"job":"%s"},{"job":"%s"},{"job":"%s"},{"job":"%s"}]}}"""
                .formatted(independent.toArray()));
        JsonNode snapshots = succeeded(fge).at("/result/diversity");
        JsonNode compared = succeeded(compare);
        JsonNode networks = compared.at("/result/diversity");
        System.out.printf("Fort et al. on Fashion-MNIST: mean disagreement %.4f among 4 FGE snapshots, %.4f among 4"
                + " independent networks; ensemble accuracy %.4f (snapshots), %.4f (independent); mean JS %.5f,"
                + " %.5f%n", snapshots.get("meanDisagreement").asDouble(), networks.get("meanDisagreement").asDouble(),
                snapshots.get("ensembleAccuracy").asDouble(), networks.get("ensembleAccuracy").asDouble(),
                snapshots.get("meanJensenShannon").asDouble(), networks.get("meanJensenShannon").asDouble());
        assertThat(snapshots.get("members").size()).isEqualTo(4);
        assertThat(snapshots.get("meanDisagreement").asDouble())
                .isLessThan(networks.get("meanDisagreement").asDouble());
        assertThat(networks.get("ensembleAccuracy").asDouble())
                .isGreaterThan(snapshots.get("ensembleAccuracy").asDouble());
        assertThat(compared.get("artifacts").findValuesAsString("name")).containsExactly("compare.json",
                "diversity-accuracy.png", "diversity.npz", "diversity.png");
        assertThat(succeeded(fge).get("artifacts").findValuesAsString("name")).contains("diversity.npz");

        // The first two independent networks, evaluated here in double from their safetensors.
        Split test = FashionMnist.load(FashionMnist.DEBIAN_PACKAGE_DIR).test();
        double[][] x = PlainMlp.rows(test);
        int[] a = predictions(PlainMlp.probabilities(PlainMlp.read(api.download(independent.get(0),
                "model.safetensors")), x));
        int[] b = predictions(PlainMlp.probabilities(PlainMlp.read(api.download(independent.get(1),
                "model.safetensors")), x));
        int differ = 0;
        int right = 0;
        for (int n = 0; n < a.length; n++) {
            differ += a[n] != b[n] ? 1 : 0;
            right += a[n] == test.y()[n] ? 1 : 0;
        }
        // An example whose two top logits tie to float32 rounding may go either way: allow two of them.
        assertThat(networks.at("/disagreement/0/1").asDouble()).isCloseTo((double) differ / a.length,
                within(2.0 / a.length));
        assertThat(networks.at("/disagreement/1/0").asDouble()).isEqualTo(networks.at("/disagreement/0/1")
                .asDouble());
        assertThat(networks.at("/disagreement/2/2").asDouble()).isZero();
        assertThat(networks.at("/accuracy/0").asDouble()).isCloseTo((double) right / a.length, within(2.0 / a.length));
        assertThat(networks.get("members").toString()).isEqualTo(
                "[\"networks[0]\",\"networks[1]\",\"networks[2]\",\"networks[3]\"]");

        Map<String, String> bad = Map.of(
                "{\"networks\":[{\"job\":\"" + independent.get(0) + "\"}]}", "spec.networks",
                "{\"networks\":[{\"job\":\"" + independent.get(0) + "\"},{\"job\":\"" + compare + "\"}]}",
                "spec.networks[1].job",
                "{\"networks\":[{\"job\":\"" + independent.get(0) + "\"},{\"job\":\"" + independent.get(1)
                        + "\"}],\"testSubset\":0}", "spec.testSubset");
        for (var c : bad.entrySet()) {
            HttpResponse<String> response = api.post("/api/v1/jobs", "{\"type\":\"compare\",\"spec\":" + c.getKey()
                    + "}");
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(c.getKey() + ": " + response.body()).contains(c.getValue());
        }
    }

    private static int[] predictions(double[][] probabilities) {
        int[] out = new int[probabilities.length];
        for (int n = 0; n < out.length; n++) {
            for (int c = 1; c < probabilities[n].length; c++) {
                out[n] = probabilities[n][c] > probabilities[n][out[n]] ? c : out[n];
            }
        }
        return out;
    }
}
