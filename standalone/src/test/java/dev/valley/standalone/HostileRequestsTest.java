package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API in token mode, tried as an attacker would. Every endpoint and method is sent under many spellings of its
 * path (percent-encoded letters and slashes, {@code ;} parameters, {@code //}, {@code ..}, trailing dots, case,
 * overlong UTF-8, backslashes) with no token, a read token and a submit token: none gets further than its token
 * allows, and nothing is stored. Upload bombs are refused with a 4xx in bounded memory, leaving nothing behind.
 */
class HostileRequestsTest {
    private static final String READ = "reader-0123456789abcdef";
    private static final String SUBMIT = "submitter-0123456789abcdef";
    private static final String ADMIN = "administrator-0123456789abcdef";
    private static final String JOB = """
            {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":1}}""";
    private static final String BOUNDARY = "hostile-boundary";
    private static Valley valley;
    private static ApiClient admin;
    private static ApiClient anonymous;
    private static String job;
    private static String dataset;
    private static String model;

    @BeforeAll
    static void start() throws Exception {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0",
                "valley.auth.mode", "tokens",
                "valley.auth.tokens", "read:" + READ + ",submit:" + SUBMIT + ",admin:" + ADMIN));
        admin = new ApiClient(valley, ADMIN);
        anonymous = new ApiClient(valley);
        job = admin.submit(JOB).get("id").asString();
        admin.awaitEnd(job, java.time.Duration.ofMinutes(2));
        var created = admin.postMultipart("/api/v1/datasets", Map.of("format", "csv", "train", csv(40)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        dataset = ApiClient.JSON.readTree(created.body()).get("id").asString();
        created = admin.postMultipart("/api/v1/models", modelForm());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        model = ApiClient.JSON.readTree(created.body()).get("id").asString();
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static byte[] csv(int rows) {
        StringBuilder s = new StringBuilder("a,b,label\n");
        for (int i = 0; i < rows; i++) {
            s.append(i % 7).append(',').append(i % 3).append(',').append(i % 2).append('\n');
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> modelForm() throws Exception {
        return Map.of("file", TestFiles.resource("models/mlp-784-32-10.safetensors"), "model",
                "{\"arch\":\"mlp\",\"hidden\":[32]}", "dataset", "fashion-mnist");
    }

    /** One request of the API as a client means it: method, plain path, and a body where it takes one. */
    private record Target(String method, String path, String contentType, byte[] body) {
        boolean writes() {
            return !method.equals("GET");
        }
    }

    private static List<Target> targets() throws Exception {
        byte[] none = new byte[0];
        String multipart = "multipart/form-data; boundary=" + BOUNDARY;
        String jobs = "/api/v1/jobs";
        return List.of(
                new Target("POST", jobs, "application/json", JOB.getBytes(StandardCharsets.UTF_8)),
                new Target("GET", jobs, null, none),
                new Target("GET", jobs + "/" + job, null, none),
                new Target("GET", jobs + "/defaults/train", null, none),
                new Target("GET", jobs + "/" + job + "/events", null, none),
                new Target("GET", jobs + "/events", null, none),
                new Target("POST", jobs + "/" + job + "/cancel", null, none),
                new Target("GET", jobs + "/" + job + "/artifacts/model.safetensors", null, none),
                new Target("POST", "/api/v1/datasets", multipart, ApiClient.multipart(BOUNDARY,
                        Map.of("format", "csv", "train", csv(40)))),
                new Target("GET", "/api/v1/datasets", null, none),
                new Target("GET", "/api/v1/datasets/" + dataset, null, none),
                new Target("DELETE", "/api/v1/datasets/" + dataset, null, none),
                new Target("POST", "/api/v1/models", multipart, ApiClient.multipart(BOUNDARY, modelForm())),
                new Target("GET", "/api/v1/models", null, none),
                new Target("GET", "/api/v1/models/" + model, null, none));
    }

    /** Every spelling of {@code path} that some server, router or filter might read as {@code path} itself. */
    static List<String> spellings(String path) {
        String[] s = path.substring(1).split("/");
        Set<String> out = new java.util.LinkedHashSet<>();
        for (int i = 0; i < s.length; i++) {
            String seg = s[i];
            String hex = String.format("%%%02x", (int) seg.charAt(0));
            out.add(join(s, i, hex + seg.substring(1)));
            out.add(join(s, i, hex.toUpperCase(Locale.ROOT) + seg.substring(1)));
            out.add(join(s, i, "%25" + hex.substring(1) + seg.substring(1)));
            out.add(join(s, i, encodeAll(seg)));
            out.add(join(s, i, seg + ";"));
            out.add(join(s, i, seg + ";jsessionid=x"));
            out.add(join(s, i, seg + "."));
            out.add(join(s, i, seg + "%2e"));
            out.add(join(s, i, seg.toUpperCase(Locale.ROOT)));
            out.add(join(s, i, Character.toUpperCase(seg.charAt(0)) + seg.substring(1)));
            out.add(join(s, i, "x/../" + seg));
            out.add(join(s, i, "x/%2e%2e/" + seg));
            out.add(join(s, i, "./" + seg));
            out.add(join(s, i, "/" + seg));
            out.add(join(s, i, seg + "%c0%af"));
            out.add(join(s, i, "%c0%ae%c0%ae/" + seg));
        }
        for (String slash : List.of("%2f", "%2F", "%5c", "\\", "%c0%af", "%e0%80%af", "//")) {
            out.add("/" + String.join(slash, s));
            out.add("/" + s[0] + slash + String.join("/", java.util.Arrays.copyOfRange(s, 1, s.length)));
        }
        for (String prefix : List.of("/", "\\", "/.", "/%2e", "/api/v1/openapi/../..", "/api/v1/openapi/%2e%2e/%2e%2e",
                "/actuator/health/../..", "/assets/..", "/assets/%2e%2e", "/index.html/..", "/assets/..%2f..")) {
            out.add(prefix + path);
        }
        out.add(path + "/");
        out.add(path + "/.");
        out.add(path + "?");
        out.add(path + "#");
        out.add(path + "%00");
        out.add(path + "%20");
        out.remove(path);
        return List.copyOf(out);
    }

    private static String join(String[] segments, int at, String replacement) {
        String[] copy = segments.clone();
        copy[at] = replacement;
        return "/" + String.join("/", copy);
    }

    private static String encodeAll(String segment) {
        StringBuilder s = new StringBuilder();
        for (char c : segment.toCharArray()) {
            s.append(String.format("%%%02X", (int) c));
        }
        return s.toString();
    }

    private record Counts(long jobs, int datasets, int models, int objects) {
    }

    private static Counts counts() throws Exception {
        return new Counts(admin.jobCount(), ApiClient.JSON.readTree(admin.get("/api/v1/datasets").body()).size(),
                ApiClient.JSON.readTree(admin.get("/api/v1/models").body()).size(),
                TestFiles.storedUnder(valley.api(), "").size());
    }

    private static Map<String, String> headers(Target target, String token) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (target.contentType() != null) {
            headers.put("Content-Type", target.contentType());
        }
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return headers;
    }

    @Test
    void noSpellingOfAPathGetsFurtherThanItsToken() throws Exception {
        Counts before = counts();
        String jobStatus = admin.job(job).get("status").asString();
        // What each token may not do: anything without one; writing with read; deleting a dataset with submit.
        Map<String, Map<Integer, Integer>> answers = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (Target target : targets()) {
            // The plain path without a token: a 401, which shows the server up and the corpus able to fail.
            ApiClient.Raw plain = anonymous.raw(target.method(), target.path(), headers(target, null), target.body());
            assertThat(plain.status()).as("%s %s", target.method(), target.path()).isEqualTo(401);
            for (String spelling : spellings(target.path())) {
                for (String token : new String[] {null, READ, SUBMIT}) {
                    boolean allowed = token == READ ? !target.writes()
                            : token == SUBMIT ? !target.method().equals("DELETE") : false;
                    if (allowed) {
                        continue;
                    }
                    ApiClient.Raw answer = anonymous.raw(target.method(), spelling, headers(target, token),
                            target.body());
                    sent++;
                    String who = token == null ? "no token" : token == READ ? "read token" : "submit token";
                    answers.computeIfAbsent(who, k -> new TreeMap<>()).merge(answer.status(), 1, Integer::sum);
                    Set<Integer> expected = token == null ? Set.of(400, 401, 403, 404) : Set.of(400, 403, 404);
                    if (!expected.contains(answer.status())) {
                        String body = answer.body().replaceAll("\\s+", " ");
                        failures.add(target.method() + " " + spelling + " with " + who + ": " + answer.status()
                                + " " + body.substring(0, Math.min(80, body.length())));
                    }
                }
            }
        }
        System.out.printf("path spellings: %d requests; %s%n", sent, answers);
        assertThat(failures).as("requests that got further than their token allows").isEmpty();
        assertThat(counts()).isEqualTo(before);
        assertThat(admin.job(job).get("status").asString()).isEqualTo(jobStatus);
        // A spelling the firewall lets through is the same route: with a token that may, it is served.
        assertThat(admin.raw("GET", "/%61pi/v1/jobs", headers(targets().get(1), ADMIN), new byte[0]).status())
                .isEqualTo(200);
    }

    /** access_token in the query is taken on the two event-stream routes only, matched as routes. */
    @Test
    void onlyTheEventStreamsTakeATokenFromTheQuery() throws Exception {
        String q = "?access_token=" + READ;
        Map<String, Integer> expected = new LinkedHashMap<>();
        expected.put("/api/v1/jobs/" + job + "/events" + q, 200);
        expected.put("/api/v1/jobs/events" + q, 200);
        expected.put("/api/v1/jobs/" + job + "/artifacts/events" + q, 401);
        expected.put("/api/v1/datasets/events" + q, 401);
        expected.put("/api/v1/jobs" + q, 401);
        expected.put("/api/v1/jobs/" + job + q, 401);
        expected.put("/api/v1/jobs/" + job + "/events?access_token=not-a-token-of-this-valley", 401);
        for (var e : expected.entrySet()) {
            assertThat(anonymous.raw("GET", e.getKey(), Map.of(), new byte[0]).status()).as(e.getKey())
                    .isEqualTo(e.getValue());
        }
        assertThat(anonymous.raw("POST", "/api/v1/jobs?access_token=" + SUBMIT,
                Map.of("Content-Type", "application/json"), JOB.getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(401);
    }

    /** A form on another site's page can POST to Valley through the visitor's browser; it is refused. */
    @Test
    void aRequestFromAnotherSitesPageIsRefused() throws Exception {
        Counts before = counts();
        byte[] form = ApiClient.multipart(BOUNDARY, Map.of("format", "csv", "train", csv(40)));
        for (Map<String, String> browser : List.of(Map.of("Origin", "https://evil.example"), Map.of("Origin", "null"),
                Map.of("Sec-Fetch-Site", "cross-site"))) {
            for (String token : new String[] {null, SUBMIT}) {
                Map<String, String> headers = new LinkedHashMap<>(browser);
                headers.put("Content-Type", "multipart/form-data; boundary=" + BOUNDARY);
                if (token != null) {
                    headers.put("Authorization", "Bearer " + token);
                }
                ApiClient.Raw answer = anonymous.raw("POST", "/api/v1/datasets", headers, form);
                assertThat(answer.status()).as("%s, token %s: %s", browser, token, answer.body()).isEqualTo(403);
            }
        }
        assertThat(counts()).isEqualTo(before);
        // The dashboard's own requests come from its own origin.
        ApiClient.Raw own = anonymous.raw("POST", "/api/v1/jobs/" + job + "/cancel", Map.of("Origin",
                "http://127.0.0.1:" + admin.port(), "Authorization", "Bearer " + SUBMIT), new byte[0]);
        assertThat(own.status()).as(own.body()).isEqualTo(409);
    }

    // --- upload bombs ---

    private static final long GB = 1L << 30;

    /** {@code size} bytes of {@code pattern} repeated, gzipped: about a thousandth of the size. */
    private static byte[] gzipOf(byte[] head, byte[] pattern, long size) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
            gzip.write(head);
            writeRepeated(gzip, pattern, size);
        }
        return out.toByteArray();
    }

    private static void writeRepeated(java.io.OutputStream out, byte[] pattern, long size) throws Exception {
        if (size == 0) {
            return;
        }
        byte[] block = new byte[(1 << 20) / pattern.length * pattern.length];
        for (int i = 0; i < block.length; i++) {
            block[i] = pattern[i % pattern.length];
        }
        for (long written = 0; written < size; written += block.length) {
            out.write(block);
        }
    }

    private static byte[] npy(String descr, String shape, byte[] data) {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        header = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    private static byte[] safetensors(String header) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json)
                .array();
    }

    /** An NPZ whose entries are each a header followed by that many zero bytes, deflated. */
    private static byte[] npzOf(Map<String, byte[]> heads, Map<String, Long> zeros) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var head : heads.entrySet()) {
                zip.putNextEntry(new ZipEntry(head.getKey()));
                zip.write(head.getValue());
                writeRepeated(zip, new byte[] {0}, zeros.get(head.getKey()));
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private record Bomb(String name, String endpoint, Map<String, Object> form, String reason) {
    }

    private static List<Bomb> bombs() throws Exception {
        byte[] images = TestFiles.idx(0x0803, new int[] {2, 2, 2}, new byte[8]);
        byte[] labels = TestFiles.idx(0x0801, new int[] {2}, new byte[] {0, 1});
        byte[] y = npy("|u1", "(2,)", new byte[] {0, 1});
        byte[] x = npy("<f4", "(2, 1)", new byte[8]);
        String mlp = "{\"arch\":\"mlp\",\"hidden\":[32]}";
        List<Bomb> bombs = new ArrayList<>();
        bombs.add(new Bomb("csv: gzip of 1 GB of zero bytes", "/api/v1/datasets", Map.of("format", "csv", "train",
                gzipOf(new byte[0], new byte[] {0}, GB)), "longer than"));
        bombs.add(new Bomb("csv: gzip of 1 GB of valid rows", "/api/v1/datasets", Map.of("format", "csv", "train",
                gzipOf("a,label\n".getBytes(), "0,1\n".getBytes(), GB)), "decompress"));
        bombs.add(new Bomb("npy: 130-byte y claiming 2^31-9 labels", "/api/v1/datasets", Map.of("format", "npy",
                "x", x, "y", npy("|u1", "(2147483639,)", new byte[2])), "declares 2147483639"));
        bombs.add(new Bomb("idx: 10-byte labels header claiming 2^31-1 labels", "/api/v1/datasets", Map.of("format",
                "idx", "trainImages", images, "trainLabels", TestFiles.idx(0x0801, new int[] {Integer.MAX_VALUE},
                        new byte[2])), "declares 2147483647"));
        bombs.add(new Bomb("idx: gzipped, both headers claiming 2^31-1 examples", "/api/v1/datasets", Map.of(
                "format", "idx", "trainImages", gzipOf(TestFiles.idx(0x0803, new int[] {Integer.MAX_VALUE, 1, 1},
                        new byte[0]), new byte[] {7}, 1 << 20), "trainLabels", gzipOf(TestFiles.idx(0x0801,
                        new int[] {Integer.MAX_VALUE}, new byte[0]), new byte[] {1}, 1 << 20)), "truncated"));
        bombs.add(new Bomb("idx: images of 65536 x 65536", "/api/v1/datasets", Map.of("format", "idx",
                "trainImages", TestFiles.idx(0x0803, new int[] {2, 65536, 65536}, new byte[8]), "trainLabels",
                labels), "65536"));
        bombs.add(new Bomb("idx: 2 images of 2000 x 2000 in 8 bytes", "/api/v1/datasets", Map.of("format", "idx",
                "trainImages", TestFiles.idx(0x0803, new int[] {2, 2000, 2000}, new byte[8]), "trainLabels",
                labels), "declares 2 images"));
        bombs.add(new Bomb("idx: the same, gzipped", "/api/v1/datasets", Map.of("format", "idx", "trainImages",
                gzipOf(TestFiles.idx(0x0803, new int[] {2, 2000, 2000}, new byte[8]), new byte[0], 0),
                "trainLabels", labels), "truncated"));
        bombs.add(new Bomb("npy: negative shape", "/api/v1/datasets", Map.of("format", "npy", "x", x, "y",
                npy("|u1", "(-5,)", new byte[2])), "shape"));
        bombs.add(new Bomb("npy: non-numeric shape", "/api/v1/datasets", Map.of("format", "npy", "x", x, "y",
                npy("|u1", "('a',)", new byte[2])), "shape"));
        bombs.add(new Bomb("npy: shape beyond long", "/api/v1/datasets", Map.of("format", "npy", "x", x, "y",
                npy("|u1", "(99999999999999999999,)", new byte[2])), "shape"));
        bombs.add(new Bomb("npy: 2^32 x 2^32 features per example", "/api/v1/datasets", Map.of("format", "npy",
                "x", npy("<f4", "(2, 4294967296, 4294967296)", new byte[8]), "y", y), "values per example"));
        bombs.add(new Bomb("npz: 1 GB of zero labels, deflated", "/api/v1/datasets", Map.of("format", "npz",
                "file", npzOf(Map.of("y.npy", npy("|u1", "(1073741824,)", new byte[0]), "x.npy", npy("|u1",
                        "(1073741824, 1)", new byte[0])), Map.of("y.npy", GB, "x.npy", GB / 4))), "decompress"));
        bombs.add(new Bomb("safetensors: 2^32 x 2^32 tensor", "/api/v1/models", Map.of("file", safetensors(
                "{\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],"
                        + "\"data_offsets\":[0,16]}}"), "model", mlp, "dataset", "fashion-mnist"), "layers.0.weight"));
        bombs.add(new Bomb("safetensors: shape beyond long", "/api/v1/models", Map.of("file", safetensors(
                "{\"layers.0.weight\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],"
                        + "\"data_offsets\":[0,16]}}"), "model", mlp, "dataset", "fashion-mnist"), "layers.0.weight"));
        return bombs;
    }

    /**
     * The old generation's peak growth while {@code request} runs, in bytes. Arrays too large for the young
     * generation are allocated there directly, and whatever a request keeps long enough is promoted there; the
     * young generation's churn of short-lived objects is left out, since it says when the collector ran, not what the
     * request held.
     */
    private static long oldGenerationGrowth(java.util.concurrent.Callable<?> request) throws Exception {
        List<MemoryPoolMXBean> old = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && !p.getName().contains("Eden")
                        && !p.getName().contains("Survivor")).toList();
        System.gc();
        long before = 0;
        for (MemoryPoolMXBean pool : old) {
            pool.resetPeakUsage();
            before += pool.getUsage().getUsed();
        }
        request.call();
        long peak = old.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return Math.max(0, peak - before);
    }

    @Test
    void uploadBombsAreRefusedInBoundedMemoryAndLeaveNothing() throws Exception {
        ApiClient submit = new ApiClient(valley, SUBMIT);
        Counts before = counts();
        Set<String> temporary = temporaryUploadFolders();
        List<String> failures = new ArrayList<>();
        for (Bomb bomb : bombs()) {
            var answer = new Object() {
                java.net.http.HttpResponse<String> response;
            };
            long started = System.nanoTime();
            long growth = oldGenerationGrowth(() -> answer.response = submit.postMultipart(bomb.endpoint(),
                    bomb.form()));
            double seconds = (System.nanoTime() - started) / 1e9;
            int status = answer.response.statusCode();
            String detail = ApiClient.JSON.readTree(answer.response.body()).path("detail").asString("");
            System.out.printf("bomb %-52s %d in %.2f s, old generation +%d MB: %s%n", bomb.name(), status, seconds,
                    growth >> 20, detail);
            if (status < 400 || status >= 500 || !detail.contains(bomb.reason()) || growth >= 256L << 20) {
                failures.add(bomb.name() + ": " + status + ", +" + (growth >> 20) + " MB, " + detail);
            }
        }
        assertThat(failures).as("bombs not refused with their reason in under 256 MB").isEmpty();
        assertThat(counts()).isEqualTo(before);
        assertThat(temporaryUploadFolders()).isEqualTo(temporary);
    }

    private static Set<String> temporaryUploadFolders() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("valley-dataset-")
                    || n.startsWith("valley-model-")).collect(java.util.stream.Collectors.toSet());
        }
    }
}
