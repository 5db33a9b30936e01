package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.embedded.Infrastructure;
import dev.valley.worker.science.data.FashionMnist;
import dev.valley.worker.science.io.SafeTensors;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Uploaded datasets and weights through the whole platform: Fashion-MNIST's own IDX files uploaded train exactly as
 * the built-in dataset does; a CSV with a held-out split trains to what its data allow; a dataset in use cannot be
 * deleted; an MLP trained by NumPy alone, uploaded as safetensors, scores as a curve endpoint what NumPy measured;
 * corpora of broken uploads get only clear 4xx answers and leave nothing in storage or the database.
 */
class UploadsEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(5);
    /** Fashion-MNIST's four files are 30.9 MB: they fit, and a 41 MB upload does not. */
    private static final int MAX_UPLOAD_MB = 40;
    private static Valley valley;
    private static ApiClient api;

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

    @Test
    void fashionMnistUploadedAsIdxTrainsAsTheBuiltInDatasetDoes() throws Exception {
        Path dir = FashionMnist.DEBIAN_PACKAGE_DIR;
        Map<String, Object> form = new LinkedHashMap<>();
        form.put("format", "idx");
        form.put("name", "fashion-mnist, uploaded");
        form.put("trainImages", Files.readAllBytes(dir.resolve("train-images-idx3-ubyte.gz")));
        form.put("trainLabels", Files.readAllBytes(dir.resolve("train-labels-idx1-ubyte.gz")));
        form.put("testImages", Files.readAllBytes(dir.resolve("t10k-images-idx3-ubyte.gz")));
        form.put("testLabels", Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte.gz")));
        HttpResponse<String> created = api.postMultipart("/api/v1/datasets", form);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode manifest = ApiClient.JSON.readTree(created.body());
        String id = manifest.get("id").asString();
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/datasets/" + id);
        // The published sizes of Fashion-MNIST (Xiao et al. 2017).
        assertThat(manifest.get("train").asInt()).isEqualTo(60_000);
        assertThat(manifest.get("test").asInt()).isEqualTo(10_000);
        assertThat(manifest.get("classes").asInt()).isEqualTo(10);
        assertThat(manifest.get("sampleShape").toString()).isEqualTo("[1,28,28]");
        // Each file stored under the dataset with the checksum of the file sent, computed here.
        for (JsonNode file : manifest.get("files")) {
            String part = file.get("part").asString();
            assertThat(file.get("sha256").asString()).as(part).isEqualTo(sha256((byte[]) form.get(part)));
            assertThat(file.get("size").asLong()).as(part).isEqualTo(((byte[]) form.get(part)).length);
        }
        assertThat(ApiClient.JSON.readTree(api.get("/api/v1/datasets/" + id).body())).isEqualTo(manifest);
        assertThat(api.get("/api/v1/datasets").body()).contains(id);

        String spec = """
                {"type":"train","spec":{"dataset":"%s","model":{"arch":"mlp","hidden":[32]},"epochs":1,
                 "trainSubset":3000,"seed":11}}""";
        String uploaded = api.submit(spec.formatted(id)).get("id").asString();
        String builtIn = api.submit(spec.formatted("fashion-mnist")).get("id").asString();

        // In use: refused, and nothing changes.
        HttpResponse<String> refused = api.delete("/api/v1/datasets/" + id);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
        assertThat(refused.body()).contains("in use by 1 job").contains(uploaded);

        JsonNode a = api.awaitEnd(uploaded, LONG);
        JsonNode b = api.awaitEnd(builtIn, LONG);
        assertThat(a.get("status").asString()).as(a.toString()).isEqualTo("SUCCEEDED");
        assertThat(b.get("status").asString()).as(b.toString()).isEqualTo("SUCCEEDED");
        // The same examples in the same order: the same accuracy, to the last digit, and the same weights.
        assertThat(a.at("/result/testAccuracy").asDouble()).isEqualTo(b.at("/result/testAccuracy").asDouble());
        assertThat(a.at("/result/testAccuracy").asDouble()).isGreaterThan(0.6);
        assertThat(a.at("/result/testExamples").asInt()).isEqualTo(10_000);
        var weightsA = SafeTensors.read(api.download(uploaded, "model.safetensors"));
        var weightsB = SafeTensors.read(api.download(builtIn, "model.safetensors"));
        assertThat(weightsA.metadata()).containsEntry("dataset", id);
        assertThat(weightsA.tensors().keySet()).isEqualTo(weightsB.tensors().keySet());
        weightsA.tensors().forEach((name, t) -> assertThat(t.floats()).as(name)
                .containsExactly(weightsB.tensors().get(name).floats()));

        HttpResponse<String> deleted = api.delete("/api/v1/datasets/" + id);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        assertThat(api.get("/api/v1/datasets/" + id).statusCode()).isEqualTo(404);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> storedUnder("datasets/" + id + "/").isEmpty());
        HttpResponse<String> gone = api.post("/api/v1/jobs", spec.formatted(id));
        assertThat(gone.statusCode()).isEqualTo(400);
        assertThat(gone.body()).contains("spec.dataset").contains("no dataset " + id);
    }

    /**
     * 600 points in two blobs on either side of the line x0 + x1 = 0, the label column first; 20 % held out with a
     * seed. A linear rule separates them, so an MLP must score nearly 1.
     */
    @Test
    void csvWithAHeldOutSplitTrains() throws Exception {
        StringBuilder csv = new StringBuilder("label,x0,x1\n");
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 600; i++) {
            int label = i % 2;
            double centre = label == 0 ? -1.5 : 1.5;
            csv.append(label).append(',').append(centre + 0.5 * random.nextGaussian()).append(',')
                    .append(centre + 0.5 * random.nextGaussian()).append('\n');
        }
        HttpResponse<String> created = api.postMultipart("/api/v1/datasets", Map.of("format", "csv", "train",
                csv.toString().getBytes(), "testFraction", "0.2", "seed", "3"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode manifest = ApiClient.JSON.readTree(created.body());
        assertThat(manifest.get("train").asInt()).isEqualTo(480);
        assertThat(manifest.get("test").asInt()).isEqualTo(120);
        assertThat(manifest.get("sampleShape").toString()).isEqualTo("[2]");
        assertThat(manifest.get("classes").asInt()).isEqualTo(2);
        String id = manifest.get("id").asString();

        HttpResponse<String> vgg = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"%s","model":{"arch":"vgg"}}}""".formatted(id));
        assertThat(vgg.statusCode()).isEqualTo(400);
        assertThat(vgg.body()).contains("spec.model.arch").contains("needs images");

        String job = api.submit("""
                {"type":"train","spec":{"dataset":"%s","model":{"arch":"mlp","hidden":[16]},"epochs":20,
                 "batchSize":32,"lr":0.05,"seed":1}}""".formatted(id)).get("id").asString();
        JsonNode done = api.awaitEnd(job, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.at("/result/testExamples").asInt()).isEqualTo(120);
        assertThat(done.at("/result/trainExamples").asInt()).isEqualTo(480);
        assertThat(done.at("/result/testAccuracy").asDouble()).isGreaterThan(0.95);
    }

    /** Every broken upload is a 4xx with problem details that say why; none leaves a row or an object. */
    @Test
    void brokenUploadsAreRefusedAndLeaveNothing() throws Exception {
        Set<String> before = storedUnder("datasets/");
        long datasetsBefore = ApiClient.JSON.readTree(api.get("/api/v1/datasets").body()).size();
        byte[] images = idx(0x0803, new int[] {3, 2, 2}, new byte[12]);
        byte[] labels = idx(0x0801, new int[] {3}, new byte[] {0, 1, 1});
        record Case(String name, Map<String, Object> form, int status, String reason) {
        }
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("no format", Map.of("train", "a,label\n1,0\n".getBytes()), 400, "format is required"));
        cases.add(new Case("unknown format", Map.of("format", "parquet", "train", new byte[] {1}), 400,
                "'parquet' is not a dataset format"));
        cases.add(new Case("missing labels", Map.of("format", "idx", "trainImages", images), 400,
                "trainLabels is required"));
        cases.add(new Case("unknown part", Map.of("format", "csv", "train", "a,label\n1,0\n".getBytes(), "extra",
                new byte[] {1}), 400, "extra is not a file of a csv dataset"));
        cases.add(new Case("half a test split", Map.of("format", "idx", "trainImages", images, "trainLabels", labels,
                "testImages", images), 400, "give all of the test files or none"));
        cases.add(new Case("bad fraction", Map.of("format", "csv", "train", "a,label\n1,0\n2,1\n".getBytes(),
                "testFraction", "1.5"), 400, "testFraction must be in (0, 1)"));
        cases.add(new Case("truncated images", Map.of("format", "idx", "trainImages",
                Arrays.copyOf(images, images.length - 1), "trainLabels", labels), 422, "trainImages is truncated"));
        cases.add(new Case("wrong magic", Map.of("format", "idx", "trainImages", labels, "trainLabels", labels),
                422, "trainImages is not an IDX file of unsigned bytes with 3 dimensions"));
        cases.add(new Case("count mismatch", Map.of("format", "idx", "trainImages", images, "trainLabels",
                idx(0x0801, new int[] {2}, new byte[] {0, 1})), 422,
                "trainImages holds 3 images but trainLabels holds 2 labels"));
        cases.add(new Case("one class", Map.of("format", "idx", "trainImages", images, "trainLabels",
                idx(0x0801, new int[] {3}, new byte[3])), 422, "at least 2 classes"));
        cases.add(new Case("NaN feature", Map.of("format", "csv", "train", "a,label\n1,0\nnan,1\n2,1\n".getBytes()),
                422, "train row 3, column 'a' is nan; features must be finite"));
        cases.add(new Case("not a zip", Map.of("format", "npz", "file", "x,y".getBytes()), 422,
                "file is not an NPZ (zip) archive"));
        cases.add(new Case("not numpy", Map.of("format", "npy", "x", images, "y", labels), 422,
                "is not an NPY file"));
        Map<String, Integer> answers = new LinkedHashMap<>();
        for (Case c : cases) {
            HttpResponse<String> response;
            try {
                response = api.postMultipart("/api/v1/datasets", c.form());
            } catch (java.io.IOException e) {
                throw new AssertionError(c.name() + ": no answer", e);
            }
            answers.put(c.name(), response.statusCode());
            assertThat(response.statusCode()).as(c.name() + ": " + response.body()).isEqualTo(c.status());
            assertThat(response.headers().firstValue("Content-Type")).as(c.name())
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
            assertThat(ApiClient.JSON.readTree(response.body()).get("detail").asString()).as(c.name())
                    .contains(c.reason());
        }
        // Over the limit: refused on its headers, before a byte of the body is sent (as curl sends it).
        String tooLarge = api.announceUpload("/api/v1/datasets", (MAX_UPLOAD_MB + 1L) << 20);
        assertThat(tooLarge).startsWith("HTTP/1.1 413").contains("application/problem+json")
                .contains("larger than the limit").doesNotContain("100 Continue");
        answers.put("too large", 413);
        HttpResponse<String> json = api.post("/api/v1/datasets", "{\"format\":\"csv\"}");
        assertThat(json.statusCode()).as("not multipart").isEqualTo(415);
        assertThat(ApiClient.JSON.readTree(api.get("/api/v1/datasets").body()).size()).isEqualTo(datasetsBefore);
        assertThat(storedUnder("datasets/")).isEqualTo(before);
        System.out.printf("datasets: %d broken uploads answered %s; nothing stored%n", answers.size(),
                answers.values().stream().collect(Collectors.groupingBy(s -> s, java.util.TreeMap::new,
                        Collectors.counting())));
    }

    /**
     * An MLP 784-32-10 trained on Fashion-MNIST by NumPy alone ({@code src/test/resources/models/make_mlp.py}), which
     * measured its test accuracy; uploaded, it is one endpoint of a curve, and the curve at t = 0 is that network.
     */
    @Test
    void weightsTrainedElsewhereScoreAsCurveEndpointWhatTheirTrainerMeasured() throws Exception {
        byte[] file = resource("models/mlp-784-32-10.safetensors");
        double numpyAccuracy = ApiClient.JSON.readTree(resource("models/mlp-784-32-10.json")).get("testAccuracy")
                .asDouble();
        HttpResponse<String> created = api.postMultipart("/api/v1/models", Map.of("file", file,
                "model", "{\"arch\":\"mlp\",\"hidden\":[32]}", "dataset", "fashion-mnist", "name", "numpy mlp"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode model = ApiClient.JSON.readTree(created.body());
        String id = model.get("id").asString();
        assertThat(model.get("sha256").asString()).isEqualTo(sha256(file));
        assertThat(model.get("size").asLong()).isEqualTo(file.length);
        assertThat(ApiClient.JSON.readTree(api.get("/api/v1/models/" + id).body())).isEqualTo(model);

        String other = api.submit("""
                {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[32]},"epochs":1,
                 "trainSubset":2000,"seed":5}}""").get("id").asString();
        String curve = api.submit("""
                {"type":"curve","spec":{"endpoints":[{"model":"%s"},{"job":"%s"}],"epochs":1,"trainSubset":2000,
                 "points":3,"ensembleSize":2}}""".formatted(id, other)).get("id").asString();
        JsonNode done = api.awaitEnd(curve, LONG);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("inputs").get(0).get("model").asString()).isEqualTo(id);
        assertThat(done.at("/spec/dataset").asString()).isEqualTo("fashion-mnist");
        // libtorch's float32 sums may order differently from NumPy's: allow a near-tie or two of 10,000 to flip.
        assertThat(done.at("/result/curvePath/testAccuracy/0").asDouble()).isCloseTo(numpyAccuracy, within(2e-4));
        System.out.printf("uploaded weights: NumPy measured test accuracy %.4f; Valley reports %.4f at t = 0%n",
                numpyAccuracy, done.at("/result/curvePath/testAccuracy/0").asDouble());
    }

    @Test
    void weightsThatDoNotFitAreRefusedWithEveryTensorNamed() throws Exception {
        Set<String> before = storedUnder("models/");
        long modelsBefore = ApiClient.JSON.readTree(api.get("/api/v1/models").body()).size();
        byte[] file = resource("models/mlp-784-32-10.safetensors");
        long headerLength = java.nio.ByteBuffer.wrap(file, 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] nan = file.clone();
        java.nio.ByteBuffer.wrap(nan).order(java.nio.ByteOrder.LITTLE_ENDIAN).putFloat((int) (8 + headerLength) + 4 * 5,
                Float.NaN);
        String mlp32 = "{\"arch\":\"mlp\",\"hidden\":[32]}";
        record Case(String name, Map<String, Object> form, int status, String reason) {
        }
        List<Case> cases = List.of(
                new Case("other widths", Map.of("file", file, "model", "{\"arch\":\"mlp\",\"hidden\":[64]}",
                        "dataset", "fashion-mnist"), 422, "file does not match the architecture (3 tensors):"
                        + " layers.0.weight: shape [32, 784], expected [64, 784]; layers.0.bias: shape [32],"
                        + " expected [64]; layers.1.weight: shape [10, 32], expected [10, 64]"),
                new Case("other architecture", Map.of("file", file, "model", "{\"arch\":\"vgg\"}", "dataset",
                        "fashion-mnist"), 422, "layers.0.weight: not a tensor of this architecture"),
                new Case("NaN", Map.of("file", nan, "model", mlp32, "dataset", "fashion-mnist"), 422,
                        "layers.0.weight holds NaN at flat index 5; weights must be finite"),
                new Case("truncated", Map.of("file", Arrays.copyOf(file, file.length - 1), "model", mlp32, "dataset",
                        "fashion-mnist"), 422, "file is truncated: its header declares 101800 bytes of data and it"
                        + " holds 101799"),
                new Case("not safetensors", Map.of("file", "PK\u0003\u0004 a zip".getBytes(), "model", mlp32,
                        "dataset", "fashion-mnist"), 422, "file is not safetensors"),
                new Case("no dataset", Map.of("file", file, "model", mlp32), 400, "dataset is required"),
                new Case("unknown dataset", Map.of("file", file, "model", mlp32, "dataset", "cifar-10"), 400,
                        "'cifar-10' is not a dataset"),
                new Case("bad model", Map.of("file", file, "model", "{\"arch\":\"mlp\",\"hiden\":[32]}",
                        "dataset", "fashion-mnist"), 400, "model is not a model spec"),
                new Case("no file", Map.of("model", mlp32, "dataset", "fashion-mnist"), 400, "file is required"));
        for (Case c : cases) {
            HttpResponse<String> response = api.postMultipart("/api/v1/models", c.form());
            assertThat(response.statusCode()).as(c.name() + ": " + response.body()).isEqualTo(c.status());
            assertThat(ApiClient.JSON.readTree(response.body()).get("detail").asString()).as(c.name())
                    .contains(c.reason());
        }
        HttpResponse<String> unknown = api.post("/api/v1/jobs", """
                {"type":"swa","spec":{"start":{"model":"%s"},"epochs":4,"swaStart":2}}"""
                .formatted(java.util.UUID.randomUUID()));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("spec.start.model").contains("no model");
        HttpResponse<String> both = api.post("/api/v1/jobs", """
                {"type":"swa","spec":{"start":{"model":"%s","job":"%s"},"epochs":4,"swaStart":2}}"""
                .formatted(java.util.UUID.randomUUID(), java.util.UUID.randomUUID()));
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(both.body()).contains("spec.start.job").contains("not both");
        assertThat(ApiClient.JSON.readTree(api.get("/api/v1/models").body()).size()).isEqualTo(modelsBefore);
        assertThat(storedUnder("models/")).isEqualTo(before);
    }

    private static byte[] resource(String name) throws Exception {
        return TestFiles.resource(name);
    }

    private static Set<String> storedUnder(String prefix) {
        return TestFiles.storedUnder(valley.api(), prefix);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** An IDX file: magic (type and dimensions), big-endian sizes, data. */
    private static byte[] idx(int magic, int[] sizes, byte[] data) {
        return TestFiles.idx(magic, sizes, data);
    }
}
