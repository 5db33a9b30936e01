package dev.valley.standalone;

import static dev.valley.model.Json.JSON;

import dev.valley.embedded.Infrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The same grid computed by one single-threaded worker process and by two, alternating, in one run: wall time from
 * submission to SUCCEEDED, points/s, the split of tiles, and whether the arrays equal the first run's. Everything
 * runs on this machine: embedded servers and the api-service in this JVM (no worker of its own), workers in JVMs of
 * their own with DJL held to one intra-op and one inter-op thread. The plane goes through three 784-512-512-10 MLPs
 * trained for one epoch on 10,000 Fashion-MNIST images; each point is evaluated on 5,000 training and 5,000 test
 * images. Run with {@code ./valley bench workers [side] [rounds]}.
 */
public final class WorkersBenchmark {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> ONE_THREAD = List.of("-Dai.djl.pytorch.num_threads=1",
            "-Dai.djl.pytorch.num_interop_threads=1");

    private final String base;

    private WorkersBenchmark(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        int side = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path home = Files.createTempDirectory("valley-bench-");
        Infrastructure servers = Infrastructure.embedded(home);
        Map<String, Object> properties = servers.properties();
        ConfigurableApplicationContext api = Valley.startApi(properties,
                Map.of("server.port", "0", "logging.level.root", "WARN"));
        try (ServiceProcess first = ServiceProcess.worker(properties, "one", ONE_THREAD, false)) {
            WorkersBenchmark bench = new WorkersBenchmark(
                    "http://127.0.0.1:" + api.getEnvironment().getProperty("local.server.port"));
            bench.run(properties, side, rounds);
        } finally {
            api.close();
            servers.close();
        }
        System.exit(0);
    }

    private void run(Map<String, Object> properties, int side, int rounds) throws Exception {
        System.out.printf("%d cores; servers and api-service in this JVM; workers single-threaded, each in its own JVM%n",
                Runtime.getRuntime().availableProcessors());
        List<String> networks = new ArrayList<>();
        for (int seed = 1; seed <= 3; seed++) {
            networks.add(submit("""
                    {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},
                     "epochs":1,"trainSubset":10000,"seed":%d}}""".formatted(seed)));
        }
        for (String id : networks) {
            JsonNode done = awaitEnd(id);
            require(done, "SUCCEEDED");
        }
        String spec = """
                {"type":"grid","spec":{"plane":{"kind":"points","points":[{"job":"%s"},{"job":"%s"},{"job":"%s"}]},
                 "resolution":[%d,%d],"tile":[4,4],"dataset":"fashion-mnist","trainSubset":5000,"testSubset":5000,
                 "seed":1}}""".formatted(networks.get(0), networks.get(1), networks.get(2), side, side);
        System.out.printf("grid: %dx%d points plane, tiles of 4x4, 5,000 train + 5,000 test images per point%n",
                side, side);
        JsonNode reference = null;
        double[] seconds = new double[3];
        int[] runs = new int[3];
        for (int round = 1; round <= rounds; round++) {
            for (int workers = 1; workers <= 2; workers++) {
                ServiceProcess second = workers == 2 ? ServiceProcess.worker(properties, "two", ONE_THREAD, false) : null;
                try {
                    long start = System.nanoTime();
                    JsonNode done = awaitEnd(submit(spec));
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    require(done, "SUCCEEDED");
                    JsonNode values = JSON.readTree(download(done.get("id").asString(), "grid.json")).get("values");
                    if (reference == null) {
                        reference = values;
                    }
                    seconds[workers] += elapsed;
                    runs[workers]++;
                    System.out.printf("round %d, %d worker%s: %.1f s, %.1f points/s, tiles by worker %s,"
                            + " arrays identical to the first run: %s%n", round, workers, workers == 1 ? "" : "s",
                            elapsed, side * side / elapsed, done.at("/tiles/byWorker"), values.equals(reference));
                } finally {
                    if (second != null) {
                        second.close();
                    }
                }
            }
        }
        double one = seconds[1] / runs[1];
        double two = seconds[2] / runs[2];
        System.out.printf("mean: one worker %.1f s, two workers %.1f s: two workers are %.2fx faster%n", one, two,
                one / two);
    }

    private static void require(JsonNode job, String status) {
        if (!job.get("status").asString().equals(status)) {
            throw new IllegalStateException("job " + job.get("id").asString() + " ended " + job.get("status")
                    + ": " + job.get("error"));
        }
    }

    private String submit(String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).get("id").asString();
    }

    private byte[] download(String id, String artifact) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id + "/artifacts/" + artifact))
                .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    /** Polls the job every 100 ms until it ends; a benchmark's clock, so the interval bounds its resolution. */
    private JsonNode awaitEnd(String id) throws Exception {
        while (true) {
            JsonNode job = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id))
                    .build(), HttpResponse.BodyHandlers.ofString()).body());
            if (job.get("status").asString().matches("SUCCEEDED|FAILED|CANCELLED")) {
                return job;
            }
            Thread.sleep(100);
        }
    }
}
