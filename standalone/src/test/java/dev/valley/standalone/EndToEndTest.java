package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole platform: HTTP → PostgreSQL → broker → DJL worker → S3 → HTTP, on real servers (the machine's
 * PostgreSQL and RabbitMQ when .ci/run names them, embedded ones otherwise).
 */
class EndToEndTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Valley valley;
    private static String base;

    @BeforeAll
    static void start() {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0"));
        base = "http://127.0.0.1:" + valley.api().getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    /** The acceptance run: 784-512-512-10 MLP, 3 epochs, seed 1. */
    @Test
    void trainJobSucceedsAndItsWeightsReproduceTheReportedAccuracy() throws Exception {
        HttpResponse<String> created = post("/api/v1/jobs", """
                {"type":"train","name":"e2e","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},
                 "epochs":3,"seed":1}}""");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = JSON.readTree(created.body()).get("id").asString();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + id);
        assertThat(JSON.readTree(created.body()).at("/spec/batchSize").asInt()).isEqualTo(128);

        JsonNode job = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(get("/api/v1/jobs/" + id).body()),
                        j -> j.get("status").asString().matches("SUCCEEDED|FAILED|CANCELLED"));
        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(job.get("startedAt").isNull()).isFalse();
        JsonNode result = job.get("result");
        double reported = result.get("testAccuracy").asDouble();
        assertThat(reported).isGreaterThanOrEqualTo(0.85);
        assertThat(result.get("history")).hasSize(3);

        JsonNode artifact = job.get("artifacts").get(0);
        assertThat(artifact.get("name").asString()).isEqualTo("model.safetensors");
        HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id
                + "/artifacts/model.safetensors")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        byte[] bytes = download.body();
        assertThat(bytes.length).isEqualTo(artifact.get("size").asLong());
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                .isEqualTo(artifact.get("sha256").asString());

        JsonNode listed = JSON.readTree(get("/api/v1/jobs?status=SUCCEEDED&size=200").body()).get("content");
        JsonNode inList = listed.valueStream().filter(j -> j.get("id").asString().equals(id)).findFirst().orElseThrow();
        assertThat(inList.get("artifacts")).isEqualTo(job.get("artifacts"));

        double[] independent = PlainMlp.onFashionMnistTest(PlainMlp.read(bytes));
        assertThat(independent[0]).isCloseTo(reported, within(0.002));
        assertThat(independent[1]).isCloseTo(result.get("testLoss").asDouble(), within(1e-3 * independent[1]));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown type      | {"type":"fit","spec":{"dataset":"spirals","model":{"arch":"mlp"}}}                   | type
            missing type      | {"spec":{"dataset":"spirals","model":{"arch":"mlp"}}}                                 | type
            unknown arch      | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"transformer"}}}          | spec.model.arch
            negative epochs   | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"epochs":-3}}      | spec.epochs
            missing dataset   | {"type":"train","spec":{"model":{"arch":"mlp"}}}                                      | spec.dataset
            unknown dataset   | {"type":"train","spec":{"dataset":"cifar-100","model":{"arch":"mlp"}}}                | spec.dataset
            missing model     | {"type":"train","spec":{"dataset":"spirals"}}                                         | spec.model
            epochs as string  | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"epochs":"3"}}     | spec.epochs
            fractional epochs | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"epochs":2.5}}     | spec.epochs
            hidden not list   | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":5}}}       | spec.model.hidden
            zero hidden size  | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[64,0]}}}  | spec.model.hidden[1]
            misspelt field    | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"epoch":3}}        | spec.epoch
            vgg on spirals    | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"vgg"}}}                  | spec.model.arch
            vgg on 1-d points | {"type":"train","spec":{"dataset":"regression-1d","model":{"arch":"preresnet"}}}      | spec.model.arch
            swa without model | {"type":"swa","spec":{"dataset":"spirals"}}                                           | spec.start
            momentum of 1     | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"momentum":1}}     | spec.momentum
            unknown schedule  | {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"schedule":"step"}} | spec.schedule
            spec not object   | {"type":"train","spec":[1,2]}                                                         | spec
            name as object    | {"type":"train","name":{"a":1},"spec":{"dataset":"spirals","model":{"arch":"mlp"}}}  | name
            blank experiment  | {"type":"train","experiment":" ","spec":{"dataset":"spirals","model":{"arch":"mlp"}}} | experiment
            tag key with :    | {"type":"train","tags":{"a:b":"c"},"spec":{"dataset":"spirals","model":{"arch":"mlp"}}} | tags
            tag not a string  | {"type":"train","tags":{"a":{"b":1}},"spec":{"dataset":"spirals","model":{"arch":"mlp"}}} | tags.a
            tag value control | {"type":"train","tags":{"a":"x\\u0007"},"spec":{"dataset":"spirals","model":{"arch":"mlp"}}} | tags.a
            """)
    void invalidSubmissionsAre400sNamingTheFieldAndStoreNothing(String label, String body, String field)
            throws Exception {
        long before = totalJobs();
        HttpResponse<String> response = post("/api/v1/jobs", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("errors").findValuesAsString("field")).as(response.body()).contains(field);
        assertThat(totalJobs()).isEqualTo(before);
    }

    @Test
    void malformedJsonIsA400ProblemAndStoresNothing() throws Exception {
        long before = totalJobs();
        HttpResponse<String> response = post("/api/v1/jobs", "{\"type\":\"train\",\"spec\":{");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("detail").asString()).startsWith("malformed JSON");
        assertThat(totalJobs()).isEqualTo(before);
    }

    @Test
    void unknownJobIs404Problem() throws Exception {
        HttpResponse<String> response = get("/api/v1/jobs/00000000-0000-0000-0000-000000000000");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).get("detail").asString()).contains("no job");
        assertThat(post("/api/v1/jobs/00000000-0000-0000-0000-000000000000/cancel", "").statusCode()).isEqualTo(404);
        HttpResponse<String> malformed = get("/api/v1/jobs/not-a-uuid");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
    }

    @Test
    void listsNewestFirstAndFiltersByStatusAndType() throws Exception {
        String first = submitSpirals("list-a");
        String second = submitSpirals("list-b");
        JsonNode page = JSON.readTree(get("/api/v1/jobs?type=train&size=200").body());
        var ids = page.get("content").findValuesAsString("id");
        assertThat(ids.indexOf(second)).isLessThan(ids.indexOf(first));
        assertThat(get("/api/v1/jobs?status=RUNNING&type=teleport").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/jobs?size=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/jobs?status=NOPE").statusCode()).isEqualTo(400);
    }

    @Test
    void experimentsAndTagsFileJobsAndFilterTheList() throws Exception {
        String experiment = "labels-" + java.util.UUID.randomUUID();
        String spec = "{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":[4]},\"epochs\":1}";
        java.util.function.BiFunction<String, String, String> submit = (tags, name) -> {
            try {
                HttpResponse<String> r = post("/api/v1/jobs", "{\"type\":\"train\",\"name\":\"" + name
                        + "\",\"experiment\":\"" + experiment + "\",\"tags\":" + tags + ",\"spec\":" + spec + "}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                return JSON.readTree(r.body()).get("id").asString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        String sgd = submit.apply("{\"opt\":\"sgd\",\"width\":\"4\"}", "tagged-1");
        String adam = submit.apply("{\"opt\":\"adam\",\"width\":\"4\"}", "tagged-2");
        String bare = submitSpirals("untagged");

        JsonNode view = JSON.readTree(get("/api/v1/jobs/" + sgd).body());
        assertThat(view.get("experiment").asString()).isEqualTo(experiment);
        assertThat(view.get("tags").get("opt").asString()).isEqualTo("sgd");
        assertThat(JSON.readTree(get("/api/v1/jobs/" + bare).body()).get("tags").size()).isZero();

        String q = "/api/v1/jobs?size=200&experiment=" + experiment;
        assertThat(JSON.readTree(get(q).body()).get("content").findValuesAsString("id"))
                .containsExactly(adam, sgd);
        assertThat(JSON.readTree(get(q + "&tag=opt:sgd").body()).get("content").findValuesAsString("id"))
                .containsExactly(sgd);
        assertThat(JSON.readTree(get(q + "&tag=opt:sgd&tag=width:4").body()).get("content")
                .findValuesAsString("id")).containsExactly(sgd);
        assertThat(JSON.readTree(get(q + "&tag=opt:sgd&tag=width:8").body()).get("content").size()).isZero();
        assertThat(JSON.readTree(get(q + "&tag=width:4").body()).get("page").get("totalElements").asInt())
                .isEqualTo(2);
        HttpResponse<String> badTag = get("/api/v1/jobs?tag=opt");
        assertThat(badTag.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badTag.body()).get("errors").findValuesAsString("field")).containsExactly("tag");

        JsonNode experiments = JSON.readTree(get("/api/v1/experiments").body());
        JsonNode mine = null;
        for (JsonNode e : experiments) {
            if (e.get("name").asString().equals(experiment)) {
                mine = e;
            }
        }
        assertThat(mine).as(experiments.toString()).isNotNull();
        assertThat(mine.get("jobs").asInt()).isEqualTo(2);
        long counted = 0;
        for (String status : mine.get("byStatus").propertyNames()) {
            counted += mine.get("byStatus").get(status).asLong();
        }
        assertThat(counted).isEqualTo(2);
        assertThat(experiments.get(0).get("name").asString()).isEqualTo(experiment); // the latest submitted
    }

    @Test
    void aReuseSubmissionIsAnsweredByTheJobThatComputedTheSame() throws Exception {
        // Seeds no other test uses: the suite's tests share one database, and reuse would find their jobs.
        long seed = 1_000_000 + new java.util.Random().nextInt(1_000_000);
        String spec = "{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":[4]},\"epochs\":1,\"seed\":"
                + seed + "}";
        HttpResponse<String> first = post("/api/v1/jobs", "{\"type\":\"train\",\"spec\":" + spec + "}");
        String id = JSON.readTree(first.body()).get("id").asString();
        new ApiClient(valley).awaitStatus(id, "SUCCEEDED", java.time.Duration.ofMinutes(2));
        String key = JSON.readTree(get("/api/v1/jobs/" + id).body()).get("resultKey").asString();
        assertThat(key).matches("v1:[0-9a-f]{64}");
        long before = totalJobs();

        // The same computation, spelt otherwise (a default given outright, another name, experiment and tags).
        String same = "{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":[4]},\"epochs\":1,"
                + "\"seed\":" + seed + ",\"batchSize\":128}";
        HttpResponse<String> reused = post("/api/v1/jobs", "{\"type\":\"train\",\"name\":\"again\","
                + "\"experiment\":\"reuse\",\"tags\":{\"a\":\"b\"},\"reuse\":true,\"spec\":" + same + "}");
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(200);
        JsonNode answer = JSON.readTree(reused.body());
        assertThat(answer.get("id").asString()).isEqualTo(id);
        assertThat(answer.get("reused").asBoolean()).isTrue();
        assertThat(reused.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + id);
        assertThat(totalJobs()).isEqualTo(before);

        // Without reuse it runs again, under the same key; another seed is another computation.
        HttpResponse<String> rerun = post("/api/v1/jobs", "{\"type\":\"train\",\"spec\":" + same + "}");
        assertThat(rerun.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(rerun.body()).get("resultKey").asString()).isEqualTo(key);
        HttpResponse<String> other = post("/api/v1/jobs", "{\"type\":\"train\",\"reuse\":true,\"spec\":"
                + spec.replace("\"seed\":" + seed, "\"seed\":" + (seed + 1)) + "}");
        assertThat(other.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(other.body()).get("resultKey").asString()).isNotEqualTo(key);

        // A curve's key names its inputs by their bytes: two curves between the same jobs share one; a waiting
        // curve gets its key when its inputs have succeeded.
        String waitingCurve = JSON.readTree(post("/api/v1/jobs", "{\"type\":\"curve\",\"spec\":{\"endpoints\":["
                + "{\"job\":\"" + id + "\"},{\"job\":\"" + JSON.readTree(other.body()).get("id").asString()
                + "\"}],\"epochs\":1,\"points\":5}}").body()).get("id").asString();
        JsonNode curve = new ApiClient(valley).awaitStatus(waitingCurve, "QUEUED|RUNNING|SUCCEEDED",
                java.time.Duration.ofMinutes(2));
        assertThat(curve.get("resultKey").asString()).matches("v1:[0-9a-f]{64}");
    }

    @Test
    void eachEpochsFiguresAreKeptAndStreamedAsTheyHappen() throws Exception {
        String id = JSON.readTree(post("/api/v1/jobs", "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\","
                + "\"model\":{\"arch\":\"mlp\",\"hidden\":[8]},\"epochs\":6,\"seed\":5}}").body()).get("id").asString();
        // The job's stream from submission to its end: every epoch event comes before the final job event.
        List<String> events = new java.util.ArrayList<>();
        List<JsonNode> epochs = new java.util.ArrayList<>();
        String event = null;
        try (var lines = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id + "/events")).build(),
                HttpResponse.BodyHandlers.ofLines()).body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).trim();
                } else if (line.startsWith("data:") && "epoch".equals(event)) {
                    epochs.add(JSON.readTree(line.substring(5)));
                    events.add("epoch");
                } else if (line.startsWith("data:")) {
                    events.add(JSON.readTree(line.substring(5)).get("status").asString());
                }
            }
        }
        assertThat(events.get(events.size() - 1)).isEqualTo("SUCCEEDED");
        assertThat(events.subList(0, events.size() - 1)).contains("epoch").doesNotContain("SUCCEEDED");
        assertThat(epochs).extracting(e -> e.get("figures").get("epoch").asInt()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(epochs).extracting(e -> e.get("series").asString()).containsOnly("train");

        // What was streamed epoch by epoch is what the result says of each epoch, and the job keeps it.
        JsonNode job = JSON.readTree(get("/api/v1/jobs/" + id).body());
        JsonNode finalHistory = job.get("result").get("history");
        for (int i = 0; i < 6; i++) {
            assertThat(epochs.get(i).get("figures").get("trainLoss").asDouble())
                    .isEqualTo(finalHistory.get(i).get("trainLoss").asDouble());
            assertThat(job.get("history").get(i).get("figures").get("testAccuracy").asDouble())
                    .isEqualTo(finalHistory.get(i).get("testAccuracy").asDouble());
        }
        assertThat(JSON.readTree(get("/api/v1/jobs?size=5").body()).get("content").get(0).get("history").isNull())
                .isTrue(); // a list shows no history
    }

    @Test
    void lineageIsWhatAResultCameFromAndWhatWasBuiltOnIt() throws Exception {
        String a = submitSpirals("lineage a");
        String b = submitSpirals("lineage b");
        String c = JSON.readTree(post("/api/v1/jobs", "{\"type\":\"curve\",\"spec\":{\"endpoints\":[{\"job\":\"" + a
                + "\"},{\"job\":\"" + b + "\"}],\"epochs\":1,\"points\":5}}").body()).get("id").asString();
        String g = JSON.readTree(post("/api/v1/jobs", "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"curve\","
                + "\"curve\":{\"job\":\"" + c + "\"}},\"resolution\":[3,3]}}").body()).get("id").asString();

        JsonNode graph = JSON.readTree(get("/api/v1/jobs/" + c + "/lineage").body());
        assertThat(graph.get("root").asString()).isEqualTo(c);
        Map<String, Integer> depth = new java.util.HashMap<>();
        graph.get("nodes").forEach(n -> depth.put(n.get("id").asString(), n.get("depth").asInt()));
        assertThat(depth).isEqualTo(Map.of(a, -1, b, -1, c, 0, g, 1));
        List<String> edges = new java.util.ArrayList<>();
        graph.get("edges").forEach(e -> edges.add(e.get("from").asString() + ">" + e.get("to").asString() + " "
                + e.get("field").asString() + " " + e.get("artifact").asString()));
        assertThat(edges).containsExactlyInAnyOrder(a + ">" + c + " endpoints[0] model.safetensors",
                b + ">" + c + " endpoints[1] model.safetensors", c + ">" + g + " plane.curve curve.safetensors");

        // From an endpoint: nothing upstream, two steps down.
        JsonNode fromA = JSON.readTree(get("/api/v1/jobs/" + a + "/lineage").body());
        Map<String, Integer> down = new java.util.HashMap<>();
        fromA.get("nodes").forEach(n -> down.put(n.get("id").asString(), n.get("depth").asInt()));
        assertThat(down).isEqualTo(Map.of(a, 0, c, 1, g, 2));
        assertThat(get("/api/v1/jobs/" + java.util.UUID.randomUUID() + "/lineage").statusCode()).isEqualTo(404);
        post("/api/v1/jobs/" + g + "/cancel", "");
        post("/api/v1/jobs/" + c + "/cancel", "");
    }

    @Test
    void cancellingARunningJobStopsItAtItsNextStep() throws Exception {
        HttpResponse<String> created = post("/api/v1/jobs", """
                {"type":"train","name":"to cancel","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp"},"epochs":50}}""");
        String id = JSON.readTree(created.body()).get("id").asString();
        await().atMost(Duration.ofMinutes(3)).until(() -> status(id).matches("RUNNING|SUCCEEDED|FAILED"));
        assertThat(post("/api/v1/jobs/" + id + "/cancel", "").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofMinutes(1)).until(() -> status(id).equals("CANCELLED"));
        JsonNode job = JSON.readTree(get("/api/v1/jobs/" + id).body());
        assertThat(job.get("artifacts")).isEmpty();
        assertThat(post("/api/v1/jobs/" + id + "/cancel", "").statusCode()).isEqualTo(409);
    }

    @Test
    void servesAnOpenApiDocumentGeneratedFromTheCode() throws Exception {
        JsonNode doc = JSON.readTree(get("/api/v1/openapi").body());
        assertThat(doc.get("paths").has("/api/v1/jobs")).isTrue();
        assertThat(doc.get("paths").has("/api/v1/jobs/{id}/artifacts/{name}")).isTrue();
    }

    private String submitSpirals(String name) throws Exception {
        return JSON.readTree(post("/api/v1/jobs", "{\"type\":\"train\",\"name\":\"" + name
                + "\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":[16]},\"epochs\":1}}")
                .body()).get("id").asString();
    }

    private String status(String id) throws Exception {
        return JSON.readTree(get("/api/v1/jobs/" + id).body()).get("status").asString();
    }

    private long totalJobs() throws Exception {
        return JSON.readTree(get("/api/v1/jobs?size=1").body()).at("/page/totalElements").asLong();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
