package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.embedded.Infrastructure;
import dev.valley.worker.science.data.Split;
import dev.valley.worker.science.data.Spirals;
import dev.valley.worker.science.io.SafeTensors;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A user's own PyTorch network, uploaded as TorchScript, through the whole platform: inspected by a worker, then
 * trained from two seeds, connected by a curve, averaged (SWA), ensembled (FGE) and pictured on a random
 * filter-normalised plane and a line, its batch norm recomputed wherever Valley assembles weights. PyTorch itself
 * (Debian's python3-torch) evaluates the trained weights, loaded by {@code load_state_dict} into the archive the
 * user uploaded, and the job's own {@code model.pt}. Broken uploads are answered with their reason, at upload or
 * after inspection, and what was refused leaves nothing stored.
 *
 * <p>The archives are {@code tools/make_torchscript_fixtures.py}'s, in gpu-worker's test resources.
 */
class TorchScriptEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final Path FIXTURES = Path.of("../gpu-worker/src/test/resources/torchscript");
    private static final int MAX_UPLOAD_MB = 2;
    private static Valley valley;
    private static ApiClient api;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0",
                "valley.api.max-upload-size", MAX_UPLOAD_MB + "MB"));
        api = new ApiClient(valley);
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static HttpResponse<String> upload(byte[] archive, String dataset, Map<String, String> more)
            throws Exception {
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("format", "torchscript");
        form.put("dataset", dataset);
        form.putAll(more);
        form.put("file", archive);
        return api.postMultipart("/api/v1/models", form);
    }

    private static byte[] fixture(String name) throws IOException {
        return Files.readAllBytes(FIXTURES.resolve(name));
    }

    private static JsonNode awaitModel(String id) {
        return org.awaitility.Awaitility.await().atMost(LONG).pollInterval(Duration.ofMillis(200))
                .until(() -> ApiClient.JSON.readTree(api.get("/api/v1/models/" + id).body()),
                        m -> !m.get("status").asString().equals("PENDING"));
    }

    private static JsonNode succeeded(String id) {
        JsonNode done = api.awaitEnd(id, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
    }

    private static String train(String module, int seed) throws Exception {
        return api.submit("""
                {"type":"train","name":"endpoint","spec":{"dataset":"spirals","model":{"arch":"torchscript",
                 "module":"%s"},"init":"seed","epochs":40,"lr":0.1,"batchSize":64,"weightDecay":0,"seed":%d}}"""
                .formatted(module, seed)).get("id").asString();
    }

    @Test
    void anUploadedModuleIsInspectedTrainedConnectedAveragedAndPictured() throws Exception {
        HttpResponse<String> created = upload(fixture("spirals.pt"), "spirals", Map.of("name", "spirals-bn"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode model = ApiClient.JSON.readTree(created.body());
        String module = model.get("id").asString();
        assertThat(model.get("format").asString()).isEqualTo("torchscript");
        assertThat(model.get("status").asString()).isEqualTo("PENDING");
        assertThat(model.at("/model/arch").asString()).isEqualTo("torchscript");
        assertThat(model.at("/model/module").asString()).isEqualTo(module);
        String inspection = model.get("inspectJob").asString();

        // Submitted at once: it waits for the inspection as a curve waits for its endpoints, and reads its output.
        String a = train(module, 1);
        JsonNode waiting = api.job(a);
        assertThat(waiting.at("/inputs/0/field").asString()).isEqualTo("model.module");
        assertThat(waiting.at("/inputs/0/job").asString()).isEqualTo(inspection);
        String b = train(module, 2);

        JsonNode ready = awaitModel(module);
        assertThat(ready.get("status").asString()).as(ready.toString()).isEqualTo("READY");
        JsonNode facts = ready.get("inspection");
        assertThat(facts.get("input").toString()).isEqualTo("[2,2]");
        assertThat(facts.get("output").toString()).isEqualTo("[2,3]");
        // Linear(2, 32) + BatchNorm1d(32) + Linear(32, 32) + Linear(32, 3), by hand.
        assertThat(facts.get("parameters").asLong()).isEqualTo((2 * 32 + 32) + (32 + 32) + (32 * 32 + 32) + (32 * 3 + 3));
        assertThat(facts.get("batchNorm").toString()).isEqualTo("[\"bn.running_mean\",\"bn.running_var\"]");
        assertThat(succeeded(inspection).get("type").asString()).isEqualTo("inspect");

        JsonNode trained = succeeded(a);
        succeeded(b);
        assertThat(trained.get("artifacts").findValuesAsString("name")).containsExactly("model.pt",
                "model.safetensors");
        assertThat(trained.at("/result/testAccuracy").asDouble()).isGreaterThan(0.7);
        var weights = SafeTensors.read(api.download(a, "model.safetensors"));
        assertThat(weights.tensors().keySet()).containsExactlyInAnyOrder("fc1.weight", "fc1.bias", "bn.weight",
                "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked", "fc2.weight", "fc2.bias",
                "out.weight", "out.bias");
        assertThat(weights.metadata()).containsEntry("arch", "torchscript").containsEntry("module", module);

        // PyTorch's evaluation of the same test split: the state_dict in the user's own module, and model.pt.
        Path data = dir.resolve("test.json");
        Split test = Spirals.generate(1).test();
        Files.writeString(data, ApiClient.JSON.writeValueAsString(Map.of("x", test.x(), "y", test.y(),
                "shape", test.sampleShape())));
        Path safetensors = Files.write(dir.resolve("model.safetensors"), api.download(a, "model.safetensors"));
        Path modelPt = Files.write(dir.resolve("model.pt"), api.download(a, "model.pt"));
        JsonNode pytorch = python(FIXTURES.resolve("spirals.pt").toAbsolutePath(), safetensors, modelPt, data);
        assertThat(pytorch.get("stateDictAccuracy").asDouble())
                .isCloseTo(trained.at("/result/testAccuracy").asDouble(), within(0.002));
        assertThat(pytorch.get("stateDictLoss").asDouble())
                .isCloseTo(trained.at("/result/testLoss").asDouble(), within(1e-3));
        assertThat(pytorch.get("modelPtAccuracy").asDouble()).isEqualTo(pytorch.get("stateDictAccuracy").asDouble());
        assertThat(pytorch.get("maxLogitDifference").asDouble()).isLessThan(1e-5);

        String curve = api.submit("""
                {"type":"curve","spec":{"endpoints":[{"job":"%s"},{"job":"%s"}],"epochs":20,"batchSize":64,"lr":0.05,
                 "weightDecay":0,"seed":7,"points":11,"ensembleSize":3}}""".formatted(a, b)).get("id").asString();
        String swa = api.submit("""
                {"type":"swa","spec":{"start":{"job":"%s"},"epochs":10,"swaStart":5,"batchSize":64,"lr":0.05,
                 "swaLr":0.02,"seed":4}}""".formatted(a)).get("id").asString();
        String fge = api.submit("""
                {"type":"fge","spec":{"start":{"job":"%s"},"epochs":8,"cycle":4,"batchSize":64,"lr1":0.05,
                 "lr2":0.001,"seed":6}}""".formatted(a)).get("id").asString();
        String grid = api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"random","center":{"job":"%s"}},"resolution":[9,9],
                 "seed":1}}""".formatted(a)).get("id").asString();
        String line = api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"line","points":[{"job":"%s"},{"job":"%s"}]},
                 "resolution":[11,1],"seed":1}}""".formatted(a, b)).get("id").asString();

        JsonNode c = succeeded(curve).get("result");
        double lineBarrier = c.at("/line/barrier").asDouble();
        double curveBarrier = c.at("/curvePath/barrier").asDouble();
        System.out.printf("torchscript curve: line barrier %.4f, curve barrier %.4f%n", lineBarrier, curveBarrier);
        assertThat(lineBarrier).isGreaterThan(0.2);
        assertThat(curveBarrier).isLessThanOrEqualTo(0.2 * lineBarrier);
        assertThat(c.get("batchNormRecomputed").asBoolean()).isTrue();
        var bends = SafeTensors.read(api.download(curve, "curve.safetensors"));
        assertThat(bends.tensors()).containsKeys("bends.0.fc1.weight", "bends.1.bn.weight", "bends.2.out.bias");

        JsonNode s = succeeded(swa).get("result");
        assertThat(s.at("/swa/testAccuracy").asDouble()).as(s.toString()).isGreaterThan(0.7);
        // The average under the module's own state_dict names, its batch-norm statistics recomputed.
        assertThat(SafeTensors.read(api.download(swa, "swa.safetensors")).tensors().keySet())
                .isEqualTo(weights.tensors().keySet());
        JsonNode f = succeeded(fge).get("result");
        assertThat(f.toString()).contains("ensemble");

        // A module is evaluated whole at every point, its batch norm recomputed there.
        for (String id : List.of(grid, line)) {
            JsonNode r = succeeded(id).get("result");
            assertThat(r.get("evaluator").asString()).isEqualTo("per point");
            assertThat(r.get("batchNormRecomputed").asBoolean()).isTrue();
            assertThat(r.get("parameters").asLong()).isEqualTo(facts.get("parameters").asLong());
        }
        // The random plane's center is network a: the lowest test loss of the plane is at most a's own (its
        // statistics recomputed over the training data, close to those training left).
        JsonNode center = succeeded(grid).at("/result/metrics/test_loss");
        assertThat(center.get("min").asDouble()).isLessThan(trained.at("/result/testLoss").asDouble() * 1.1);
    }

    /** {@code python3 evaluate.py …}'s JSON; Debian's python3-torch, which .ci/run installs. */
    private static JsonNode python(Path uploaded, Path weights, Path trained, Path data) throws Exception {
        Path script = Path.of("src/test/resources/torchscript/evaluate.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), uploaded.toString(),
                weights.toString(), trained.toString(), data.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        String[] lines = out.strip().split("\n");
        return ApiClient.JSON.readTree(lines[lines.length - 1]);
    }

    @Test
    void brokenUploadsAreAnsweredWithTheirReasonAndLeaveNothingBehind() throws Exception {
        Set<String> before = TestFiles.storedUnder(valley.api(), "models/");
        byte[] resnet = fixture("resnet.pt");
        java.io.ByteArrayOutputStream notTorchScript = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(notTorchScript)) {
            zip.putNextEntry(new java.util.zip.ZipEntry("net/weights.bin"));
            zip.write(new byte[] {1, 2, 3});
        }
        Map<String, byte[]> refused = new LinkedHashMap<>();
        refused.put("not a zip", "def forward(x): return x".getBytes());
        refused.put("a zip, not TorchScript", notTorchScript.toByteArray());
        refused.put("truncated", java.util.Arrays.copyOf(resnet, resnet.length / 2));
        for (var e : refused.entrySet()) {
            HttpResponse<String> r = upload(e.getValue(), "fashion-mnist", Map.of());
            assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(422);
            assertThat(r.body()).as(e.getKey()).contains("is not a TorchScript archive");
        }
        HttpResponse<String> withModel = upload(resnet, "fashion-mnist", Map.of("model", "{\"arch\":\"mlp\"}"));
        assertThat(withModel.statusCode()).isEqualTo(400);
        assertThat(withModel.body()).contains("\"field\":\"model\"");
        HttpResponse<String> badFormat = upload(resnet, "fashion-mnist", Map.of("format", "onnx"));
        assertThat(badFormat.statusCode()).isEqualTo(400);
        assertThat(badFormat.body()).contains("\"field\":\"format\"");
        String tooLarge = api.announceUpload("/api/v1/models", 3L << 30);
        assertThat(tooLarge).startsWith("HTTP/1.1 413");
        assertThat(TestFiles.storedUnder(valley.api(), "models/")).isEqualTo(before);

        // Stored, then refused by the worker's inspection with what to fix.
        Map<String, String> invalid = new LinkedHashMap<>();
        invalid.put("three_channels.pt", "forward on a [2, 1, 28, 28] batch of fashion-mnist in eval mode failed: ");
        invalid.put("seven_classes.pt", "output has shape [2, 7] in eval mode; fashion-mnist has 10 classes");
        invalid.put("no_parameters.pt", "the module has no parameters");
        invalid.put("cut_pickle.pt", "the archive does not load: ");
        List<String> ids = new ArrayList<>();
        for (String name : invalid.keySet()) {
            HttpResponse<String> r = upload(fixture(name), "fashion-mnist", Map.of("name", name));
            assertThat(r.statusCode()).as(name + ": " + r.body()).isEqualTo(201);
            ids.add(ApiClient.JSON.readTree(r.body()).get("id").asString());
        }
        int i = 0;
        for (var e : invalid.entrySet()) {
            JsonNode m = awaitModel(ids.get(i++));
            assertThat(m.get("status").asString()).as(e.getKey()).isEqualTo("INVALID");
            assertThat(m.get("error").asString()).as(e.getKey()).startsWith(e.getValue());
            System.out.printf("%s: %s%n", e.getKey(), m.get("error").asString());
        }
        HttpResponse<String> onInvalid = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"torchscript","module":"%s"}}}"""
                .formatted(ids.get(1)));
        assertThat(onInvalid.statusCode()).isEqualTo(400);
        assertThat(onInvalid.body()).contains("spec.model.module").contains("is INVALID: output has shape [2, 7]");
        HttpResponse<String> unknown = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"torchscript",
                 "module":"00000000-0000-0000-0000-000000000009"}}}""");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("spec.model.module").contains("no module");
        HttpResponse<String> noModule = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"torchscript"}}}""");
        assertThat(noModule.statusCode()).isEqualTo(400);
        assertThat(noModule.body()).contains("spec.model.module");
        HttpResponse<String> initOnBuiltIn = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"init":"archive"}}""");
        assertThat(initOnBuiltIn.statusCode()).isEqualTo(400);
        assertThat(initOnBuiltIn.body()).contains("spec.init");
        HttpResponse<String> bf16OnModule = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"torchscript","module":"%s"},
                 "precision":"bf16"}}""".formatted(ids.get(0)));
        assertThat(bf16OnModule.statusCode()).isEqualTo(400);
        assertThat(bf16OnModule.body()).contains("spec.precision").contains("built-in architectures");
        HttpResponse<String> fp16 = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp"},"precision":"fp16"}}""");
        assertThat(fp16.statusCode()).isEqualTo(400);
        assertThat(fp16.body()).contains("spec.precision").contains("must be one of: fp32, bf16");
        HttpResponse<String> inspect = api.post("/api/v1/jobs", """
                {"type":"inspect","spec":{"module":"%s","dataset":"fashion-mnist"}}""".formatted(ids.get(0)));
        assertThat(inspect.statusCode()).isEqualTo(400);
        assertThat(inspect.body()).contains("\"field\":\"type\"").contains("not submitted");
    }
}
