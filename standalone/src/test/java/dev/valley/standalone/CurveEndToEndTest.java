package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.embedded.Infrastructure;
import dev.valley.worker.science.data.Spirals;
import dev.valley.worker.science.io.SafeTensors;
import dev.valley.worker.storage.ObjectStore;
import dev.valley.worker.science.data.Split;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/** Curve jobs through the whole platform: waiting on endpoints, refusing mismatches, failing with the reason. */
class CurveEndToEndTest {
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

    private static String train(int seed, String hidden, int epochs, double lr) throws Exception {
        return train(seed, hidden, epochs, lr, 0);
    }

    private static String train(int seed, String hidden, int epochs, double lr, double weightDecay)
            throws Exception {
        return api.submit("""
                {"type":"train","name":"endpoint","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":%s},
                 "epochs":%d,"lr":%s,"batchSize":64,"weightDecay":%s,"seed":%d}}"""
                .formatted(hidden, epochs, lr, weightDecay, seed)).get("id").asString();
    }

    private static String curveBody(String a, String b, String extra) {
        return """
                {"type":"curve","name":"curve","spec":{"endpoints":[{"job":"%s"},{"job":"%s"}]%s}}"""
                .formatted(a, b, extra);
    }

    /**
     * Submitted while its endpoints still train, the curve waits, then runs; its reported test loss at t = 0.5
     * equals a plain-Java evaluation of φ(0.5) = ¼θ0 + ½θ1 + ¼θ2 built from curve.safetensors.
     */
    @Test
    void curveWaitsForItsEndpointsThenFitsALowerPathThanTheLine() throws Exception {
        String a = train(7, "[32,32]", 40, 0.1);
        String b = train(8, "[32,32]", 40, 0.1);
        JsonNode curve = api.submit(curveBody(a, b,
                ",\"epochs\":20,\"batchSize\":64,\"lr\":0.05,\"weightDecay\":0,\"seed\":7,\"points\":11,\"ensembleSize\":3"));
        assertThat(curve.get("status").asString()).isEqualTo("WAITING");
        assertThat(curve.at("/spec/dataset").asString()).isEqualTo("spirals");
        assertThat(curve.at("/spec/endpoints/0/artifact").asString()).isEqualTo("model.safetensors");
        assertThat(curve.at("/inputs/1/field").asString()).isEqualTo("endpoints[1]");
        assertThat(curve.at("/inputs/1/job").asString()).isEqualTo(b);
        String id = curve.get("id").asString();

        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        JsonNode r = done.get("result");
        double lineBarrier = r.at("/line/barrier").asDouble();
        double curveBarrier = r.at("/curvePath/barrier").asDouble();
        assertThat(lineBarrier).isGreaterThan(0.2);
        assertThat(curveBarrier).isLessThan(0.5 * lineBarrier);
        assertThat(r.get("batchNormRecomputed").asBoolean()).isFalse();
        assertThat(done.get("artifacts").findValuesAsString("name")).containsExactly("curve.json", "curve.npz",
                "curve.png", "curve.safetensors", "diversity-accuracy.png", "diversity.npz", "diversity.png");
        // The diversity of the ensemble's curve points: its first member is the point at t = 0, evaluated as the
        // path's first point was.
        JsonNode diversity = r.get("diversity");
        assertThat(diversity.get("members").size()).isEqualTo(r.at("/ensembles/curvePointsT").size());
        assertThat(diversity.at("/members/0").asString()).isEqualTo("t=0.000");
        // (argmax of probabilities rather than of logits, and a float64 mean: a tie may go the other way)
        double example = 1.0 / r.get("testExamples").asInt();
        assertThat(diversity.at("/accuracy/0").asDouble()).isCloseTo(r.at("/curvePath/testAccuracy/0").asDouble(),
                within(example));
        assertThat(diversity.get("ensembleAccuracy").asDouble()).isCloseTo(r.at("/ensembles/curvePointsAccuracy")
                .asDouble(), within(example));
        assertThat(diversity.at("/disagreement/0/0").asDouble()).isZero();

        var checkpoint = SafeTensors.read(valley.worker().getBean(ObjectStore.class)
                .read("jobs/" + id + "/attempt-1/checkpoint.safetensors"));
        assertThat(checkpoint.metadata()).containsEntry("epoch", "20").containsEntry("bends", "3");
        assertThat(checkpoint.tensors()).containsKeys("bends.0.layers.0.weight", "bends.1.layers.0.weight",
                "momentum.1.layers.2.bias").doesNotContainKey("momentum.0.layers.0.weight");

        PlainMlp.Tensors bends = PlainMlp.read(api.download(id, "curve.safetensors"));
        PlainMlp.Tensors middle = PlainMlp.curvePoint(bends, new double[] {0.25, 0.5, 0.25});
        Split test = Spirals.generate(7).test();
        double[] independent = PlainMlp.evaluate(middle, PlainMlp.rows(test), test.y());
        assertThat(r.at("/t/5").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/curvePath/testLoss/5").asDouble()).isCloseTo(independent[1], within(1e-3 * independent[1]));
        assertThat(r.at("/curvePath/testAccuracy/5").asDouble()).isCloseTo(independent[0], within(1e-9));

        List<String> entries = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(api.download(id, "curve.npz")))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.add(e.getName());
            }
        }
        assertThat(entries).contains("t.npy", "curve_train_loss.npy", "line_test_accuracy.npy",
                "ensemble_with_start_accuracy.npy");
    }

    /**
     * dnn-mode-connectivity's schedule counts epochs from 1: over 10 epochs at rate r each job reports
     * r × [1, 1, 1, 1, 1, 0.7525, 0.505, 0.2575, 0.01, 0.01] in history[].lr (a train job with schedule decay, a
     * curve, and SWA's SGD baseline), worked out by hand from the reference's formula.
     */
    @Test
    void jobsOnTheReferenceScheduleReportItsRatesPerEpoch() throws Exception {
        double[] factors = {1, 1, 1, 1, 1, 0.7525, 0.505, 0.2575, 0.01, 0.01};
        String a = api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":10,
                 "lr":0.2,"schedule":"decay","seed":1}}""").get("id").asString();
        String b = train(2, "[8]", 1, 0.1);
        String curve = api.submit(curveBody(a, b, ",\"epochs\":10,\"lr\":0.1,\"points\":3,\"ensembleSize\":2")).get("id").asString();
        String swa = api.submit("""
                {"type":"swa","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":10,
                 "swaStart":5,"lr":0.05,"seed":1}}""").get("id").asString();
        Map<String, Object[]> expected = Map.of(a, new Object[] {"/result/history", 0.2, "train"},
                curve, new Object[] {"/result/history", 0.1, "curve"},
                swa, new Object[] {"/result/sgdHistory", 0.05, "baseline"});
        for (var job : expected.entrySet()) {
            JsonNode done = api.awaitEnd(job.getKey(), LONG);
            assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
            JsonNode history = done.at((String) job.getValue()[0]);
            assertThat(history.size()).isEqualTo(10);
            for (int e = 0; e < 10; e++) {
                assertThat(history.get(e).get("lr").asDouble()).as("%s epoch %d", done.get("type"), e + 1)
                        .isCloseTo((double) job.getValue()[1] * factors[e], org.assertj.core.api.Assertions.within(1e-9));
            }
            // The live history reported each of those epochs as it ended, under the run's series.
            List<Double> live = new java.util.ArrayList<>();
            done.get("history").forEach(h -> {
                if (h.get("series").asString().equals(job.getValue()[2])) {
                    live.add(h.get("figures").get("lr").asDouble());
                }
            });
            assertThat(live).as("%s live history", done.get("type")).hasSize(10);
            for (int e = 0; e < 10; e++) {
                assertThat(live.get(e)).isEqualTo(history.get(e).get("lr").asDouble());
            }
        }
    }

    @Test
    void endpointsOfDifferentArchitecturesAreRefusedNamingTheDifference() throws Exception {
        String a = train(1, "[16]", 1, 0.1);
        String b = train(2, "[32]", 1, 0.1);
        HttpResponse<String> response = api.post("/api/v1/jobs", curveBody(a, b, ""));
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = ApiClient.JSON.readTree(response.body()).get("errors").get(0);
        assertThat(error.get("field").asString()).isEqualTo("spec.endpoints[1]");
        assertThat(error.get("message").asString()).contains("model.hidden is [32] here and [16] there");

        HttpResponse<String> unknown = api.post("/api/v1/jobs",
                curveBody("00000000-0000-0000-0000-000000000001", a, ""));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("spec.endpoints[0].job");
        HttpResponse<String> wrongDataset = api.post("/api/v1/jobs", curveBody(a, a, ",\"dataset\":\"fashion-mnist\""));
        assertThat(wrongDataset.statusCode()).isEqualTo(400);
        assertThat(wrongDataset.body()).contains("spec.dataset");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            one endpoint         | {"endpoints":[{"job":"%1$s"}]}                                                  | spec.endpoints
            one bend too few     | {"endpoints":[{"job":"%1$s"},{"job":"%1$s"}],"bends":2}                         | spec.bends
            unknown curve        | {"endpoints":[{"job":"%1$s"},{"job":"%1$s"}],"curve":"spline"}                  | spec.curve
            one point            | {"endpoints":[{"job":"%1$s"},{"job":"%1$s"}],"points":1}                        | spec.points
            ensemble over points | {"endpoints":[{"job":"%1$s"},{"job":"%1$s"}],"points":5,"ensembleSize":6}       | spec.ensembleSize
            escaping artifact    | {"endpoints":[{"job":"%1$s","artifact":"../x.safetensors"},{"job":"%1$s"}]}     | spec.endpoints[0].artifact
            id not a uuid        | {"endpoints":[{"job":"nope"},{"job":"%1$s"}]}                                   | spec.endpoints[0].job
            misspelt field       | {"endpoints":[{"job":"%1$s"},{"job":"%1$s"}],"bend":4}                          | spec.bend
            """)
    void invalidCurveSpecsAre400sNamingTheField(String label, String spec, String field) throws Exception {
        String body = "{\"type\":\"curve\",\"spec\":" + spec.formatted("00000000-0000-0000-0000-000000000002") + "}";
        HttpResponse<String> response = api.post("/api/v1/jobs", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                .as(response.body()).contains(field);
    }

    /** Whether the endpoint has diverged before the curve arrives or after, the curve fails naming it. */
    @Test
    void curveOnAFailedEndpointFailsWithTheReason() throws Exception {
        String good = train(3, "[16]", 1, 0.1);
        // lr 10 with weight decay 1 multiplies the weights by about −9 per step: they overflow within a few dozen.
        String diverging = train(4, "[16]", 3, 10, 1);
        String id = api.submit(curveBody(diverging, good, "")).get("id").asString();
        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).isEqualTo("FAILED");
        assertThat(done.get("error").asString()).contains("endpoints[0] (job " + diverging + ") failed")
                .contains("diverged");
        assertThat(done.get("startedAt").isNull()).isTrue();
    }

    /** Cancelling a queued endpoint fails the curve waiting on it; a waiting curve cancels at once. */
    @Test
    void cancellingAWaitingCurveOrItsQueuedEndpointEndsItAtOnce() throws Exception {
        String running = train(5, "[16]", 1000, 0.01);
        String queued = train(6, "[16]", 1, 0.1);
        String first = api.submit(curveBody(running, queued, "")).get("id").asString();
        String second = api.submit(curveBody(running, running, "")).get("id").asString();
        assertThat(api.job(first).get("status").asString()).isEqualTo("WAITING");

        assertThat(api.post("/api/v1/jobs/" + queued + "/cancel", "").statusCode()).isEqualTo(200);
        JsonNode failed = api.job(first);
        assertThat(failed.get("status").asString()).isEqualTo("FAILED");
        assertThat(failed.get("error").asString()).isEqualTo("endpoints[1] (job " + queued + ") was cancelled");

        JsonNode cancelled = ApiClient.JSON.readTree(api.post("/api/v1/jobs/" + second + "/cancel", "").body());
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        api.post("/api/v1/jobs/" + running + "/cancel", "");
        api.awaitEnd(running, LONG);
    }
}
