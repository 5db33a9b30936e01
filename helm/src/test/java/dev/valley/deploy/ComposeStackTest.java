package dev.valley.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose stack, up for real: {@code tools/local-images.sh} builds every image from Debian's packages and the
 * Dockerfiles (no registry is reachable here), and {@code docker-compose.yml} with {@code docker-compose.local.yml}
 * brings PostgreSQL, RabbitMQ, S3Proxy, the api-service and a CPU worker up. Over HTTP with a token: a training job
 * to SUCCEEDED, its {@code model.safetensors} downloaded and hashed here; a grid over the compose worker; a longer
 * training whose worker container is SIGKILLed mid-run and started again, the job resuming from its checkpoint; the
 * PostgreSQL container restarted on its named volume, every job still there; then {@code down -v}, leaving no
 * container and no volume of the project. Prints build time, image sizes, time to healthy and the jobs' figures.
 *
 * <p>Needs a Docker engine and debootstrap. Skipped without an engine, unless {@code VALLEY_TEST_DOCKER=required}
 * ({@code .ci/run} sets it where it started one), when its absence fails the test.
 */
class ComposeStackTest {
    private static final String PROJECT = "valley-compose-test";
    private static final Duration LONG = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String token = "compose-test-" + UUID.randomUUID();
    private String api;

    @Test
    void theStackComesUpRunsJobsSurvivesAKilledWorkerAndADatabaseRestartAndLeavesNothing() throws Exception {
        Host.assumeDockerEngine();

        long t0 = System.nanoTime();
        Host.Result images = Host.run(Duration.ofMinutes(20), true, Map.of(), "tools/local-images.sh");
        assertThat(images.exit()).as(images.out()).isZero();
        double buildSeconds = seconds(t0);

        int port = freePort();
        List<String> compose = List.of("docker-compose", "-p", PROJECT, "-f", "docker-compose.yml", "-f",
                "docker-compose.local.yml", "--profile", "cpu");
        Map<String, String> env = Map.of("VALLEY_PORT", String.valueOf(port), "VALLEY_BROKER_UI_PORT",
                String.valueOf(freePort()), "VALLEY_AUTH_TOKENS", "admin:" + token, "VALLEY_DISPATCH_LEASE", "10s");
        api = "http://127.0.0.1:" + port + "/api/v1";
        down(compose, env);
        try {
            t0 = System.nanoTime();
            compose(compose, env, "up", "-d", "--no-build", "postgres", "rabbitmq", "s3", "api", "cpu-worker");
            List<String> services = List.of("postgres", "rabbitmq", "s3", "api", "cpu-worker");
            await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> services.stream()
                    .allMatch(s -> "healthy".equals(health(s))));
            double healthySeconds = seconds(t0);

            // A training job, and its weights downloaded and hashed here.
            String train = submit("""
                    {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[64]},
                     "epochs":2,"trainSubset":5000}}""");
            Map<String, Object> trained = awaitEnd(train);
            assertThat(trained.get("status")).as(trained.toString()).isEqualTo("SUCCEEDED");
            Map<String, Object> artifact = artifact(trained, "model.safetensors");
            HttpResponse<byte[]> model = HTTP.send(get("/jobs/" + train + "/artifacts/model.safetensors"),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(model.statusCode()).isEqualTo(200);
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model.body()));
            assertThat(sha256).isEqualTo(artifact.get("sha256"));
            assertThat((long) model.body().length).isEqualTo(((Number) artifact.get("size")).longValue());

            // A grid over the compose worker, around that network.
            String grid = submit("""
                    {"type":"grid","spec":{"plane":{"kind":"random","center":{"job":"%s"}},"resolution":[9,9],
                     "trainSubset":2000,"testSubset":2000}}""".formatted(train));
            Map<String, Object> gridDone = awaitEnd(grid);
            assertThat(gridDone.get("status")).as(gridDone.toString()).isEqualTo("SUCCEEDED");
            assertThat(artifact(gridDone, "grid.npz").get("size")).isNotNull();

            // A longer training: its worker SIGKILLed at 10 % or later, then started again; the lease (10 s) lapses
            // and attempt 2 goes on from the last checkpoint (one after every epoch).
            String resumed = submit("""
                    {"type":"train","spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[64]},
                     "epochs":60,"trainSubset":20000,"seed":3}}""");
            Map<String, Object> atKill = await().atMost(LONG).pollInterval(Duration.ofMillis(200))
                    .until(() -> job(resumed),
                    j -> "RUNNING".equals(j.get("status")) && ((Number) j.get("progress")).doubleValue() >= 0.1);
            docker("kill", container("cpu-worker"));
            long killedAt = System.nanoTime();
            docker("start", container("cpu-worker"));
            Map<String, Object> done = awaitEnd(resumed);
            double recovered = seconds(killedAt);
            assertThat(done.get("status")).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.get("attempt")).isEqualTo(2);
            Map<String, Object> lost = Chart.cast(((List<?>) done.get("earlierAttempts")).get(0));
            assertThat(lost.get("outcome")).isEqualTo("LOST");
            int resumedAfter = ((Number) Chart.<Object>at(done, "result.resumedAfterEpoch")).intValue();
            assertThat(resumedAfter).isBetween(5, 59); // killed in epoch 6 of 60 or later
            assertThat(Chart.<List<Object>>at(done, "result.history")).hasSize(60);

            // The database restarted on its named volume: every job is still there, as it was.
            compose(compose, env, "restart", "postgres");
            await().atMost(LONG).pollInterval(Duration.ofSeconds(1)).until(() -> "healthy".equals(health("postgres")));
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> job(train).get("status").equals("SUCCEEDED"));
            for (String id : List.of(train, grid, resumed)) {
                assertThat(job(id).get("status")).as(id).isEqualTo("SUCCEEDED");
            }
            assertThat(artifact(job(train), "model.safetensors").get("sha256")).isEqualTo(sha256);

            System.out.printf("compose stack: images built in %.0f s; healthy %.0f s after up; training %.1f s"
                    + " (2 epochs, 5,000 examples, model.safetensors sha256 %s); grid 9x9 %.1f s; worker killed at"
                    + " %.0f %% of 60 epochs, resumed after epoch %d, succeeded %.0f s after the kill%n",
                    buildSeconds, healthySeconds, ran(trained), sha256.substring(0, 12), ran(gridDone),
                    100 * ((Number) atKill.get("progress")).doubleValue(), resumedAfter, recovered);
        } finally {
            down(compose, env);
        }
        assertThat(docker("ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + PROJECT)).isBlank();
        assertThat(docker("volume", "ls", "-q", "--filter", "label=com.docker.compose.project=" + PROJECT))
                .isBlank();
    }

    private static void down(List<String> compose, Map<String, String> env) {
        compose(compose, env, "down", "-v", "--remove-orphans");
    }

    private static void compose(List<String> compose, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of(args));
        Host.succeed(LONG, env, command);
    }

    private static String docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        return Host.succeed(Duration.ofMinutes(2), Map.of(), command);
    }

    /** The service's container, by compose's labels (1.29 and v2 name containers differently). */
    private static String container(String service) {
        return docker("ps", "-a", "-q", "--filter", "label=com.docker.compose.project=" + PROJECT, "--filter",
                "label=com.docker.compose.service=" + service);
    }

    private static String health(String service) {
        String id = container(service);
        if (id.isEmpty()) {
            return "absent";
        }
        Host.Result r = Host.run(Duration.ofSeconds(30), false, Map.of(), "docker", "inspect", "--format",
                "{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}", id);
        return r.out().strip();
    }

    private String submit(String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(api + "/jobs"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return (String) json(response.body()).get("id");
    }

    private Map<String, Object> job(String id) throws Exception {
        HttpResponse<String> response = HTTP.send(get("/jobs/" + id), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    private Map<String, Object> awaitEnd(String id) {
        return await().atMost(LONG).pollInterval(Duration.ofMillis(500)).until(() -> job(id),
                j -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(j.get("status")));
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create(api + path)).header("Authorization", "Bearer " + token).build();
    }

    private static Map<String, Object> artifact(Map<String, Object> job, String name) {
        return ((List<?>) job.get("artifacts")).stream().map(a -> Chart.<Map<String, Object>>cast(a))
                .filter(a -> name.equals(a.get("name")))
                .findFirst().orElseThrow(() -> new AssertionError("no artifact " + name + " in " + job));
    }

    /** Seconds from the job's start to its end, from its own timestamps. */
    private static double ran(Map<String, Object> job) {
        return Duration.between(java.time.Instant.parse((String) job.get("startedAt")),
                java.time.Instant.parse((String) job.get("finishedAt"))).toMillis() / 1000.0;
    }

    private static Map<String, Object> json(String body) {
        return new Yaml().load(body); // JSON is YAML
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
