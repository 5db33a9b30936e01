package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.embedded.Infrastructure;
import dev.valley.worker.science.data.Spirals;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.storage.ObjectStore;
import dev.valley.worker.science.data.Split;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** SWA and FGE jobs through the whole platform, their reported figures checked by plain-Java evaluations. */
class AveragingEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static Valley valley;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        // These tests read the checkpoints the jobs left: keep them when the jobs end.
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0",
                "valley.storage.keep-checkpoints", "true"));
        api = new ApiClient(valley);
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    /** The average in swa.safetensors and the baseline in sgd.safetensors score what the result says they do. */
    @Test
    void swaFromScratchReportsWhatItsWeightsScore() throws Exception {
        String id = api.submit("""
                {"type":"swa","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[32,32]},"epochs":30,
                 "swaStart":24,"batchSize":64,"lr":0.1,"swaLr":0.02,"weightDecay":0,"seed":4}}""").get("id").asString();
        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("artifacts").findValuesAsString("name")).containsExactly("diversity-accuracy.png",
                "diversity.npz", "diversity.png", "sgd.safetensors", "swa.json", "swa.png", "swa.safetensors");
        JsonNode r = done.get("result");
        assertThat(r.get("averaged").asInt()).isEqualTo(6);
        // The diversity of the iterates after swaStart: epochs 25 to 30, the last of them the final iterate.
        JsonNode diversity = r.get("diversity");
        assertThat(diversity.get("members").toString()).isEqualTo(
                "[\"epoch 25\",\"epoch 26\",\"epoch 27\",\"epoch 28\",\"epoch 29\",\"epoch 30\"]");
        assertThat(diversity.at("/accuracy/5").asDouble()).isCloseTo(r.at("/swaIterate/testAccuracy").asDouble(),
                within(1.0 / r.get("testExamples").asInt()));
        // The last checkpoint, under the attempt: the SWA run after its last epoch, with its average.
        var checkpoint = SafeTensors.read(valley.worker().getBean(ObjectStore.class)
                .read("jobs/" + id + "/attempt-1/checkpoint.safetensors"));
        assertThat(checkpoint.metadata()).containsEntry("phase", "swa").containsEntry("epoch", "30")
                .containsEntry("averaged", "6");
        assertThat(checkpoint.tensors()).containsKeys("model.layers.0.weight", "momentum.layers.2.bias",
                "average.layers.1.weight");
        assertThat(r.get("sgdHistory")).hasSize(30);
        Split test = Spirals.generate(4).test();
        double[][] x = PlainMlp.rows(test);
        for (String network : new String[] {"swa", "sgd"}) {
            double[] independent = PlainMlp.evaluate(PlainMlp.read(api.download(id, network + ".safetensors")), x,
                    test.y());
            assertThat(r.at("/" + network + "/testAccuracy").asDouble()).as(network).isEqualTo(independent[0]);
            assertThat(r.at("/" + network + "/testLoss").asDouble()).as(network)
                    .isCloseTo(independent[1], within(1e-3 * independent[1]));
        }
    }

    /**
     * From a train job's weights (the fge job waits for it): a snapshot at each cycle's low point, and the
     * reported accuracy of the full ensemble equals the plain-Java mean of the snapshots' softmax outputs.
     */
    @Test
    void fgeEnsembleIsTheMeanOfItsSnapshotsSoftmax() throws Exception {
        String start = api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[32,32]},"epochs":30,
                 "batchSize":64,"lr":0.1,"weightDecay":0,"seed":6}}""").get("id").asString();
        JsonNode fge = api.submit("""
                {"type":"fge","spec":{"start":{"job":"%s"},"epochs":12,"cycle":4,"batchSize":64,"lr1":0.05,
                 "lr2":0.001,"seed":6}}""".formatted(start));
        assertThat(fge.at("/spec/model/hidden").toString()).isEqualTo("[32,32]");
        assertThat(fge.at("/spec/dataset").asString()).isEqualTo("spirals");
        String id = fge.get("id").asString();
        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        JsonNode snapshots = done.at("/result/snapshots");
        assertThat(snapshots.findValuesAsString("epoch")).containsExactly("2", "6", "10");
        var checkpoint = SafeTensors.read(valley.worker().getBean(ObjectStore.class)
                .read("jobs/" + id + "/attempt-1/checkpoint.safetensors"));
        assertThat(checkpoint.metadata()).containsEntry("epoch", "12").containsEntry("snapshots", "3");
        assertThat(checkpoint.tensors()).containsKeys("model.layers.0.weight", "snapshots.2.layers.2.bias");

        PlainMlp.Tensors file = PlainMlp.read(api.download(id, "fge-snapshots.safetensors"));
        Split test = Spirals.generate(6).test();
        double[][] x = PlainMlp.rows(test);
        double[][] mean = new double[x.length][3];
        for (int s = 0; s < 3; s++) {
            double[][] p = PlainMlp.probabilities(PlainMlp.select(file, "snapshots." + s + "."), x);
            for (int i = 0; i < x.length; i++) {
                for (int c = 0; c < 3; c++) {
                    mean[i][c] += p[i][c] / 3;
                }
            }
        }
        double[] ensemble = PlainMlp.score(mean, test.y());
        assertThat(snapshots.get(2).get("ensembleTestAccuracy").asDouble()).isEqualTo(ensemble[0]);
        assertThat(snapshots.get(2).get("ensembleTestLoss").asDouble()).isCloseTo(ensemble[1], within(1e-3 * ensemble[1]));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            swa with start and model | {"type":"swa","spec":{"start":{"job":"00000000-0000-0000-0000-000000000003"},"model":{"arch":"mlp"}}} | spec.start
            swa with nothing         | {"type":"swa","spec":{}}                                                                           | spec.start
            swa start after end      | {"type":"swa","spec":{"dataset":"spirals","model":{"arch":"mlp"},"epochs":5,"swaStart":5}}        | spec.swaStart
            swa unknown anneal       | {"type":"swa","spec":{"dataset":"spirals","model":{"arch":"mlp"},"anneal":"step"}}                | spec.anneal
            fge odd cycle            | {"type":"fge","spec":{"start":{"job":"00000000-0000-0000-0000-000000000003"},"cycle":3}}          | spec.cycle
            fge without start        | {"type":"fge","spec":{"cycle":4}}                                                                  | spec.start
            fge unknown start        | {"type":"fge","spec":{"start":{"job":"00000000-0000-0000-0000-000000000003"}}}                    | spec.start.job
            """)
    void invalidSpecsAre400sNamingTheField(String label, String body, String field) throws Exception {
        HttpResponse<String> response = api.post("/api/v1/jobs", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                .as(response.body()).contains(field);
    }
}
