package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A generated corpus of malformed submissions: every field of a valid spec of each job type replaced by a wrong type,
 * null, a negative, huge or non-finite number, odd Unicode, or removed; unknown fields; refs to jobs that do not
 * exist or are not ids; broken and oversized bodies. Every one is answered 4xx with problem details, none 5xx, and
 * none is stored.
 */
class MalformedRequestsTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static Valley valley;
    private static ApiClient api;
    private static String trained;

    private static final String SUBMIT = "submitter-0123456789abcdef";
    /** How a problem detail would give away the code behind it: a qualified class name. */
    private static final java.util.regex.Pattern INTERNAL = java.util.regex.Pattern.compile(
            "\\b(dev\\.valley|java\\.(lang|util|io|math|time|net)|jakarta|tools\\.jackson|com\\.fasterxml"
                    + "|org\\.(springframework|hibernate|postgresql|apache))\\.[A-Za-z]");

    @BeforeAll
    static void start() throws Exception {
        // In token mode, as an operator runs it: the corpus must hold there, not only on an open local Valley.
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0",
                "valley.auth.mode", "tokens", "valley.auth.tokens", "submit:" + SUBMIT));
        api = new ApiClient(valley, SUBMIT);
        trained = api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":1}}""")
                .get("id").asString();
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    /** One valid submission per job type; each is checked to be accepted before its mutations are sent. */
    private static List<String> validBodies() {
        String ref = "{\"job\":\"" + trained + "\"}";
        return List.of(
                """
                {"type":"train","name":"ok","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},
                 "epochs":1,"batchSize":64,"lr":0.05,"momentum":0.9,"seed":1}}""",
                """
                {"type":"swa","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":2,"swaStart":1}}""",
                "{\"type\":\"fge\",\"spec\":{\"start\":" + ref + ",\"epochs\":2,\"cycle\":2}}",
                "{\"type\":\"curve\",\"spec\":{\"endpoints\":[" + ref + "," + ref + "],\"curve\":\"bezier\",\"bends\":3,"
                        + "\"epochs\":1}}",
                "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"line\",\"points\":[" + ref + "," + ref + "]},"
                        + "\"resolution\":[3,1],\"tile\":[3,1]}}");
    }

    private static final List<JsonNode> REPLACEMENTS = List.of(
            NODES.stringNode("x"), NODES.stringNode(""), NODES.stringNode("\u0000\u202e\ud83d\ude00\uffff"),
            NODES.nullNode(), NODES.booleanNode(true), NODES.numberNode(-1), NODES.numberNode(0),
            NODES.numberNode(2.5), NODES.numberNode(1e308), NODES.numberNode(-1e308),
            NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")),
            NODES.arrayNode(), NODES.objectNode(), NODES.stringNode("NaN"), NODES.stringNode("Infinity"));

    /** Every path to a value inside the body, as parent and key (or index). */
    private static void paths(JsonNode node, List<Object[]> out) {
        if (node instanceof ObjectNode object) {
            for (String key : object.propertyNames()) {
                out.add(new Object[] {object, key});
                paths(object.get(key), out);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                out.add(new Object[] {array, i});
                paths(array.get(i), out);
            }
        }
    }

    private static List<String> corpus() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (String valid : validBodies()) {
            JsonNode original = ApiClient.JSON.readTree(valid);
            List<Object[]> places = new ArrayList<>();
            paths(original, places);
            for (int p = 0; p < places.size(); p++) {
                for (JsonNode replacement : REPLACEMENTS) {
                    JsonNode copy = original.deepCopy();
                    List<Object[]> copyPlaces = new ArrayList<>();
                    paths(copy, copyPlaces);
                    Object[] place = copyPlaces.get(p);
                    if (place[0] instanceof ObjectNode object) {
                        if (((String) place[1]).equals("name") && replacement.isString()) {
                            continue; // any string is a name
                        }
                        object.set((String) place[1], replacement);
                    } else {
                        ((ArrayNode) place[0]).set((Integer) place[1], replacement);
                    }
                    bodies.add(ApiClient.JSON.writeValueAsString(copy));
                }
                JsonNode removed = original.deepCopy();
                List<Object[]> removedPlaces = new ArrayList<>();
                paths(removed, removedPlaces);
                Object[] place = removedPlaces.get(p);
                if (place[0] instanceof ObjectNode object && !place[1].equals("name")) {
                    object.remove((String) place[1]);
                    bodies.add(ApiClient.JSON.writeValueAsString(removed));
                }
            }
            ObjectNode unknown = (ObjectNode) original.deepCopy();
            ((ObjectNode) unknown.get("spec")).put("epoch", 3);
            bodies.add(ApiClient.JSON.writeValueAsString(unknown));
            bodies.add(valid.replace(trained, "00000000-0000-0000-0000-000000000000"));
            bodies.add(valid.replace(trained, "not-a-uuid"));
            bodies.add(valid.substring(0, valid.length() / 2));
            bodies.add(valid.replace("{", "[").replace("}", "]"));
        }
        bodies.addAll(List.of("", "null", "[]", "42", "\"train\"", "{", "{\"type\":\"train\"}",
                "{\"type\":\"train\",\"spec\":NaN}", "{\"type\":\"train\",\"spec\":{\"epochs\":Infinity}}",
                "{\"type\":\"sweep\",\"spec\":{}}", "{\"type\":\"train\",\"spec\":{},\"resources\":{\"pool\":7}}",
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":["
                        + "1,".repeat(200_000) + "1]}}}",
                "{\"type\":\"train\",\"name\":\"" + "n".repeat(2_000_000) + "\",\"spec\":{}}",
                "{\"type\":\"train\",\"spec\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}"));
        return bodies;
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return api.post("/api/v1/jobs", body);
    }

    @Test
    void everyMalformedSubmissionIsA4xxProblemAndNothingIsStored() throws Exception {
        for (String valid : validBodies()) {
            HttpResponse<String> accepted = post(valid);
            assertThat(accepted.statusCode()).as("the valid base %s: %s", valid, accepted.body()).isEqualTo(201);
        }
        List<String> corpus = corpus();
        long before = api.jobCount();
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, String> wrong = new LinkedHashMap<>();
        int accepted = 0;
        for (String body : corpus) {
            HttpResponse<String> response = post(body);
            int status = response.statusCode();
            statuses.merge(status, 1, Integer::sum);
            String shown = body.length() > 300 ? body.substring(0, 300) + "…(" + body.length() + " chars)" : body;
            if (status == 201) {
                accepted++; // a mutation that is still a valid spec (a seed of 0, a bool-free field set to true…)
                continue;
            }
            if (!isProblem(response)) {
                wrong.put(shown, status + " " + response.body());
            }
        }
        System.out.printf("malformed corpus: %d requests, statuses %s, 5xx %d%n", corpus.size(), statuses,
                statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToInt(Map.Entry::getValue).sum());
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(500);
        assertThat(wrong).as("answers that are not 4xx problem details").isEmpty();
        assertThat(api.jobCount()).isEqualTo(before + accepted);
    }

    /** A 4xx answer with problem details that name no class of the code behind them. */
    private static boolean isProblem(HttpResponse<String> response) {
        return response.statusCode() >= 400 && response.statusCode() < 500
                && response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
                && !INTERNAL.matcher(response.body()).find();
    }

    /**
     * Query parameters and path variables at their extremes: the job list's page, size, status and type (and the
     * experiment and tag filters to come, ignored until they exist), ids that are not ids, unknown job types. Each is
     * answered 200 or a 4xx problem that names no class; none is a 5xx. page × size beyond the list's depth, which
     * overflowed the database offset into a 500, is a 400 on page.
     */
    @Test
    void queryParametersAndPathVariablesAtTheirExtremes() throws Exception {
        List<String> numbers = List.of("-1", "0", "1", "100", "101", "21474837", "2147483647", "2147483648",
                "-2147483649", "99999999999999999999", "1e3", "0x10", "abc", "", "%00", "NaN");
        List<String> paths = new ArrayList<>();
        for (String page : numbers) {
            for (String size : numbers) {
                paths.add("/api/v1/jobs?page=" + page + "&size=" + size);
            }
        }
        String huge = "x".repeat(10_000);
        for (String filter : List.of("status", "type", "experiment", "tag")) {
            for (String value : List.of("QUEUED", "queued", "train", "TRAIN", "nope", "", "%00", "%ff%fe", huge,
                    "a&" + filter + "=b")) {
                paths.add("/api/v1/jobs?" + filter + "=" + value);
            }
        }
        for (String id : List.of("not-a-uuid", "00000000-0000-0000-0000-000000000000", huge, "%00", "-1",
                "ffffffff-ffff-ffff-ffff-ffffffffffffff")) {
            for (String under : List.of("/api/v1/jobs/", "/api/v1/datasets/", "/api/v1/models/")) {
                paths.add(under + id);
            }
            paths.add("/api/v1/jobs/" + id + "/events");
            paths.add("/api/v1/jobs/" + id + "/artifacts/model.safetensors");
            paths.add("/api/v1/jobs/" + trained + "/artifacts/" + id);
            paths.add("/api/v1/jobs/defaults/" + id);
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        Map<String, String> wrong = new LinkedHashMap<>();
        for (String path : paths) {
            ApiClient.Raw raw = api.raw("GET", path, Map.of("Authorization", "Bearer " + SUBMIT), new byte[0]);
            statuses.merge(raw.status(), 1, Integer::sum);
            boolean stream = path.endsWith("/events");
            if (raw.status() >= 500 || (raw.status() >= 400 && (!raw.body().contains("\"status\"")
                    || INTERNAL.matcher(raw.body()).find())) || (raw.status() == 200 && stream)) {
                wrong.put(path.length() > 120 ? path.substring(0, 120) + "…" : path, raw.status() + " "
                        + raw.body().substring(0, Math.min(300, raw.body().length())));
            }
        }
        System.out.printf("query and path extremes: %d requests, statuses %s%n", paths.size(), statuses);
        assertThat(wrong).as("answers that are 5xx, or 4xx without clean problem details").isEmpty();
        HttpResponse<String> deep = api.get("/api/v1/jobs?page=21474837&size=100");
        assertThat(deep.statusCode()).as(deep.body()).isEqualTo(400);
        assertThat(deep.body()).contains("\"field\":\"page\"").contains("at most 1000000");
        assertThat(api.get("/api/v1/jobs?page=9999&size=100").statusCode()).isEqualTo(200);
    }

    /** A body over valley.api.max-request-size (1 MB) is a 413, whether it says its length or comes chunked. */
    @Test
    void oversizedBodiesAre413AndNothingIsStored() throws Exception {
        String body = "{\"type\":\"train\",\"name\":\"" + "n".repeat(1_100_000)
                + "\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"}}}";
        long before = api.jobCount();
        for (HttpResponse<String> response : List.of(post(body), api.postChunked("/api/v1/jobs", body))) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .startsWith("application/problem+json");
            assertThat(response.body()).contains("larger than 1024 KB");
        }
        // Just under the limit is read, and refused only for its name.
        HttpResponse<String> under = post(body.replace("n".repeat(1_100_000), "n".repeat(1_000_000)));
        assertThat(under.statusCode()).isEqualTo(400);
        assertThat(under.body()).contains("\"field\":\"name\"");
        assertThat(api.jobCount()).isEqualTo(before);
    }

    /** What the corpus first found answered 500: each is now a 400 naming its field. */
    @Test
    void numbersOutOfRangeNullEntriesAndEmptyTilesNameTheirField() throws Exception {
        String ref = "{\"job\":\"" + trained + "\"}";
        Map<String, String> cases = Map.of(
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"epochs\":123456789012345678901}}",
                "spec.epochs",
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\","
                        + "\"hidden\":[8,99999999999]}}}", "spec.model.hidden[1]",
                "{\"type\":\"train\",\"spec\":{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\","
                        + "\"hidden\":[null]}}}", "spec.model.hidden[0]",
                "{\"type\":\"grid\",\"spec\":{\"plane\":{\"kind\":\"line\",\"points\":[" + ref + "," + ref
                        + "]},\"resolution\":[3,1],\"tile\":[0,1]}}", "spec.tile[0]",
                // The SGD fields every training type shares (Sgd): their limits name the field that broke them.
                "{\"type\":\"fge\",\"spec\":{\"start\":" + ref + ",\"epochs\":2,\"cycle\":2,\"lr2\":0}}",
                "spec.lr2",
                "{\"type\":\"curve\",\"spec\":{\"endpoints\":[" + ref + "," + ref + "],\"momentum\":1}}",
                "spec.momentum");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> response = post(c.getKey());
            assertThat(response.statusCode()).as(c.getKey() + " -> " + response.body()).isEqualTo(400);
            assertThat(ApiClient.JSON.readTree(response.body()).get("errors").findValuesAsString("field"))
                    .as(response.body()).contains(c.getValue());
        }
    }
}
