package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.embedded.Infrastructure;
import dev.valley.worker.science.data.Spirals;
import dev.valley.worker.science.data.Split;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * Grids through the whole platform: a points plane's values against the networks' own losses and a plain-Java
 * evaluation of origin + x·u + y·v; tiles shared between workers; a worker killed in the middle.
 */
class GridEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final long DATA_SEED = 5;
    private static Infrastructure servers;
    private static Valley valley;
    private static ApiClient api;
    private static List<String> networks;

    @BeforeAll
    static void start() throws Exception {
        servers = Infrastructure.forTests();
        valley = Valley.start(servers.properties(), Map.of("server.port", "0"));
        api = new ApiClient(valley);
        // Three networks on the same spirals data (the data seed is the jobs' seed), different initialisations.
        networks = List.of(train(1), train(2), train(3));
        for (String id : networks) {
            assertThat(api.awaitEnd(id, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        }
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static String train(int init) throws Exception {
        return api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[24,24]},
                 "epochs":%d,"lr":0.1,"batchSize":64,"seed":%d}}""".formatted(10 + init, DATA_SEED))
                .get("id").asString();
    }

    private static String points() {
        return """
                {"kind":"points","points":[{"job":"%s"},{"job":"%s"},{"job":"%s"}]}"""
                .formatted(networks.get(0), networks.get(1), networks.get(2));
    }

    private static JsonNode grid(String plane, String extra) throws Exception {
        JsonNode job = api.submit("""
                {"type":"grid","spec":{"plane":%s,"seed":%d%s}}""".formatted(plane, DATA_SEED, extra));
        JsonNode done = api.awaitEnd(job.get("id").asString(), LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
    }

    /** values[metric][j][i] from grid.json. */
    private static double value(JsonNode gridJson, String metric, int i, int j) {
        return gridJson.at("/values/" + metric + "/" + j + "/" + i).asDouble();
    }

    /**
     * On the plane through w1, w2, w3: the grid's values at (0, 0) and (1, 0) are w1's and w2's own losses and
     * accuracies, (0.5, 0) is the line's midpoint, and (1, 1) is w1 + u + v; each computed here in plain Java, in
     * double, from the networks' safetensors. A one-point grid at w3's coordinates (p, 1), p = ⟨w3 − w1, u⟩ / ‖u‖²
     * computed here too, gives w3's own losses.
     */
    @Test
    void pointsPlaneMatchesTheNetworksAndAPlainEvaluationOfThePlane() throws Exception {
        JsonNode done = grid(points(), ",\"resolution\":[3,3],\"range\":{\"x\":[0,1],\"y\":[0,1]},\"tile\":[2,2]");
        assertThat(done.at("/tiles/total").asInt()).isEqualTo(4);
        assertThat(done.at("/tiles/done").asInt()).isEqualTo(4);
        assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(done.get("artifacts").findValuesAsString("name")).containsExactly("grid-test_accuracy.png",
                "grid-test_loss.png", "grid-train_accuracy.png", "grid-train_loss.png", "grid.json", "grid.npz");
        JsonNode json = ApiClient.JSON.readTree(api.download(done.get("id").asString(), "grid.json"));

        PlainMlp.Tensors w1 = PlainMlp.read(api.download(networks.get(0), "model.safetensors"));
        PlainMlp.Tensors w2 = PlainMlp.read(api.download(networks.get(1), "model.safetensors"));
        PlainMlp.Tensors w3 = PlainMlp.read(api.download(networks.get(2), "model.safetensors"));
        double p = PlainMlp.dot(w3, w2, w1) / PlainMlp.dot(w2, w2, w1);
        // v = (w3 − w1) − p·(w2 − w1), so w1 + u + v = w3 + (1 − p)·w2 − (1 − p)·w1.
        PlainMlp.Tensors corner = PlainMlp.combination(List.of(w1, w2, w3), new double[] {-(1 - p), 1 - p, 1});
        PlainMlp.Tensors middle = PlainMlp.combination(List.of(w1, w2), new double[] {0.5, 0.5});

        Split train = Spirals.generate(DATA_SEED).train();
        Split test = Spirals.generate(DATA_SEED).test();
        double[][] trainRows = PlainMlp.rows(train);
        double[][] testRows = PlainMlp.rows(test);
        Object[][] cases = {{w1, 0, 0, 1e-4}, {w2, 2, 0, 1e-4}, {middle, 1, 0, 1e-4}, {corner, 2, 2, 1e-3}};
        for (Object[] c : cases) {
            PlainMlp.Tensors net = (PlainMlp.Tensors) c[0];
            int i = (int) c[1];
            int j = (int) c[2];
            double tolerance = (double) c[3];
            double[] onTrain = PlainMlp.evaluate(net, trainRows, train.y());
            double[] onTest = PlainMlp.evaluate(net, testRows, test.y());
            assertThat(value(json, "train_loss", i, j)).as("train loss at (%d, %d)", i, j)
                    .isCloseTo(onTrain[1], within(tolerance * onTrain[1]));
            assertThat(value(json, "test_loss", i, j)).as("test loss at (%d, %d)", i, j)
                    .isCloseTo(onTest[1], within(tolerance * onTest[1]));
            assertThat(value(json, "train_accuracy", i, j)).isCloseTo(onTrain[0], within(1.5 / train.size()));
            assertThat(value(json, "test_accuracy", i, j)).isCloseTo(onTest[0], within(1.5 / test.size()));
        }
        JsonNode markers = done.at("/result/markers");
        assertThat(markers.get(2).get("label").asString()).isEqualTo("w3");
        assertThat(markers.get(2).get("x").asDouble()).isCloseTo(p, within(1e-5));
        assertThat(markers.get(2).get("y").asDouble()).isEqualTo(1.0);

        JsonNode atW3 = grid(points(), ",\"resolution\":[1,1],\"range\":{\"x\":[%s,%s],\"y\":[1,1]}"
                .formatted(p, p));
        JsonNode w3Json = ApiClient.JSON.readTree(api.download(atW3.get("id").asString(), "grid.json"));
        double[] own = PlainMlp.evaluate(w3, testRows, test.y());
        assertThat(value(w3Json, "test_loss", 0, 0)).isCloseTo(own[1], within(1e-4 * own[1]));
    }

    /**
     * On a curve's plane the markers are w1 (0, 0), w2 (1, 0) and the bend (p, 1); the Bezier curve at t = 0.5 lies at
     * ¼·w1 + ½·bend + ¼·w2, i.e. (p/2 + ¼, ½); and the grid value at w2 equals a plain-Java evaluation of bend 2 of
     * curve.safetensors.
     */
    @Test
    void curvePlaneCarriesTheCurveAndItsEndpoints() throws Exception {
        JsonNode curve = api.submit("""
                {"type":"curve","spec":{"endpoints":[{"job":"%s"},{"job":"%s"}],"epochs":3,"batchSize":64,"lr":0.05,
                 "seed":%d,"points":3,"ensembleSize":2}}""".formatted(networks.get(0), networks.get(1), DATA_SEED));
        String curveId = curve.get("id").asString();
        assertThat(api.awaitEnd(curveId, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        JsonNode done = grid("{\"kind\":\"curve\",\"curve\":{\"job\":\"" + curveId + "\"}}",
                ",\"resolution\":[2,2],\"range\":{\"x\":[0,1],\"y\":[0,1]},\"metrics\":[\"test_loss\"]");
        assertThat(done.at("/spec/plane/curve/artifact").asString()).isEqualTo("curve.safetensors");
        JsonNode r = done.get("result");
        double p = r.at("/markers/2/x").asDouble();
        assertThat(r.at("/markers/2/label").asString()).isEqualTo("bend");
        assertThat(r.at("/markers/1/x").asDouble()).isEqualTo(1.0);
        assertThat(r.get("curve").size()).isEqualTo(61);
        assertThat(r.at("/curve/30/t").asDouble()).isEqualTo(0.5);
        assertThat(r.at("/curve/30/x").asDouble()).isCloseTo(p / 2 + 0.25, within(1e-9));
        assertThat(r.at("/curve/30/y").asDouble()).isCloseTo(0.5, within(1e-9));
        assertThat(r.at("/curve/60/x").asDouble()).isCloseTo(1.0, within(1e-9));

        PlainMlp.Tensors bends = PlainMlp.read(api.download(curveId, "curve.safetensors"));
        Split test = Spirals.generate(DATA_SEED).test();
        double[] end = PlainMlp.evaluate(PlainMlp.select(bends, "bends.2."), PlainMlp.rows(test), test.y());
        JsonNode json = ApiClient.JSON.readTree(api.download(done.get("id").asString(), "grid.json"));
        assertThat(value(json, "test_loss", 1, 0)).isCloseTo(end[1], within(1e-4 * end[1]));
    }

    /** Every array of a grid.npz by name, as the bytes of its .npy entry. */
    private static Map<String, byte[]> arrays(byte[] npz) throws Exception {
        Map<String, byte[]> arrays = new java.util.TreeMap<>();
        try (var zip = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(npz))) {
            for (var e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                arrays.put(e.getName(), zip.readAllBytes());
            }
        }
        return arrays;
    }

    /**
     * The same grid computed by the in-process worker alone and then with a second worker process gives
     * identical arrays, both workers taking tiles. Then a third worker is SIGKILLed in the middle of a grid: the
     * grid still finishes, every tile stored once, and the tiles the killed worker had stored stay its own (only
     * the tile it was computing goes to another worker).
     */
    @Test
    void tilesAreSharedBetweenWorkersAndAKilledWorkerLosesOnlyWhatItWasComputing() throws Exception {
        String spec = ",\"resolution\":[24,24],\"tile\":[4,4]";
        JsonNode alone = grid(points(), spec);
        assertThat(alone.at("/result/workers").size()).isEqualTo(1);
        Map<String, byte[]> aloneArrays = arrays(api.download(alone.get("id").asString(), "grid.npz"));
        JsonNode shared;
        try (ServiceProcess second = ServiceProcess.worker(servers.properties(), "second")) {
            shared = grid(points(), spec);
        }
        System.out.println("tiles by worker, one worker: " + alone.at("/tiles/byWorker") + "; two: "
                + shared.at("/tiles/byWorker"));
        assertThat(shared.at("/tiles/byWorker").size()).isEqualTo(2);
        assertThat(shared.at("/tiles/byWorker/second").asInt()).isPositive();
        Map<String, byte[]> sharedArrays = arrays(api.download(shared.get("id").asString(), "grid.npz"));
        assertThat(sharedArrays.keySet()).containsExactlyElementsOf(aloneArrays.keySet());
        aloneArrays.forEach((name, bytes) -> assertThat(sharedArrays.get(name)).as(name).isEqualTo(bytes));

        ServiceProcess third = ServiceProcess.worker(servers.properties(), "third");
        String id = api.submit("""
                {"type":"grid","spec":{"plane":%s,"seed":%d,"resolution":[60,60],"tile":[5,5]}}"""
                .formatted(points(), DATA_SEED)).get("id").asString();
        JsonNode before = org.awaitility.Awaitility.await().atMost(LONG).pollInterval(Duration.ofMillis(50))
                .until(() -> api.job(id), j -> j.at("/tiles/byWorker/third").asInt() >= 3);
        third.kill();
        int storedByThird = api.job(id).at("/tiles/byWorker/third").asInt();
        JsonNode done = api.awaitEnd(id, LONG);
        System.out.println("killed 'third' after it stored " + before.at("/tiles/byWorker/third").asInt()
                + " tiles; final split " + done.at("/tiles/byWorker") + " of " + done.at("/tiles/total"));
        assertThat(done.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(done.at("/tiles/done").asInt()).isEqualTo(144);
        assertThat(done.at("/tiles/byWorker/third").asInt()).isEqualTo(storedByThird);
        int sum = 0;
        for (JsonNode count : done.at("/tiles/byWorker")) {
            sum += count.asInt();
        }
        assertThat(sum).isEqualTo(144);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown plane         | {"plane":{"kind":"sphere"},"resolution":[3,3]}                          | spec.plane.kind
            two points            | {"plane":{"kind":"points","points":[{"job":"%1$s"},{"job":"%1$s"}]},"resolution":[3,3]} | spec.plane.kind
            one side only         | {"plane":%2$s,"resolution":[5]}                                        | spec.resolution
            too fine              | {"plane":%2$s,"resolution":[1001,3]}                                    | spec.resolution[0]
            line with rows        | {"plane":{"kind":"line","points":[{"job":"%1$s"},{"job":"%1$s"}]},"resolution":[5,2]} | spec.resolution
            reversed range        | {"plane":%2$s,"resolution":[3,3],"range":{"x":[1,0],"y":[0,1]}}         | spec.range.x
            flat range            | {"plane":%2$s,"resolution":[3,3],"range":{"x":[0,0],"y":[0,1]}}         | spec.range
            tile too big          | {"plane":%2$s,"resolution":[3,3],"tile":[4,1]}                          | spec.tile
            too many tiles        | {"plane":%2$s,"resolution":[1000,1000],"tile":[1,1]}                    | spec.tile
            unknown metric        | {"plane":%2$s,"resolution":[3,3],"metrics":["train_error"]}             | spec.metrics[0]
            seed on points        | {"plane":{"kind":"points","points":[{"job":"%1$s"},{"job":"%1$s"},{"job":"%1$s"}],"seed":3},"resolution":[3,3]} | spec.plane.kind
            curve not a curve job | {"plane":{"kind":"curve","curve":{"job":"%1$s"}},"resolution":[3,3]}    | spec.plane.curve.job
            """)
    void wrongSpecsAreRefusedNamingTheField(String name, String spec, String field) throws Exception {
        String body = "{\"type\":\"grid\",\"spec\":" + spec.formatted(networks.get(0), points()) + "}";
        HttpResponse<String> response = api.post("/api/v1/jobs", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field")).contains(field);
    }

    /** A 1000×1000 request is accepted: 400 tiles of 50×50 by default, each its own dispatch. */
    @Test
    void aMillionPointGridIsAcceptedAndTiled() throws Exception {
        JsonNode job = api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"random","center":{"job":"%s"}},"resolution":[1000,1000],
                 "metrics":["test_loss"],"testSubset":10,"seed":%d}}""".formatted(networks.get(0), DATA_SEED));
        String id = job.get("id").asString();
        assertThat(job.at("/spec/tile").toString()).isEqualTo("[50,50]");
        assertThat(job.at("/spec/range/x").toString()).isEqualTo("[-1.0,1.0]");
        assertThat(job.at("/spec/plane/normalization").asString()).isEqualTo("filter");
        assertThat(api.job(id).at("/tiles/total").asInt()).isEqualTo(400);
        api.awaitStatus(id, "RUNNING", LONG);
        assertThat(api.post("/api/v1/jobs/" + id + "/cancel", "").statusCode()).isEqualTo(200);
        assertThat(api.awaitEnd(id, LONG).get("status").asString()).isEqualTo("CANCELLED");
    }
}
