package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** What `./valley up` runs: all embedded, state in one folder. A restart keeps the jobs and their artifacts. */
class RestartTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path home;

    @Test
    void restartKeepsJobsAndArtifacts() throws Exception {
        String id;
        byte[] weights;
        String waiting;
        try (Infrastructure servers = Infrastructure.embedded(home)) {
            Valley valley = Valley.start(servers.properties(), Map.of("server.port", "0", "valley.dispatch.pools",
                    "later"));
            try {
                String base = base(valley);
                id = JSON.readTree(send(base, "/api/v1/jobs", """
                        {"type":"train","name":"before restart",
                         "spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[16]},"epochs":1}}""").body())
                        .get("id").asString();
                await().atMost(Duration.ofMinutes(2)).until(() -> job(base, id).get("status").asString().equals("SUCCEEDED"));
                weights = download(base, id);
                // A job for a pool no worker of this run takes: published into the in-memory broker, and lost with it.
                waiting = JSON.readTree(send(base, "/api/v1/jobs", """
                        {"type":"train","name":"queued across the restart","resources":{"pool":"later"},
                         "spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[16]},"epochs":1}}""").body())
                        .get("id").asString();
                await().atMost(Duration.ofMinutes(1)).until(() -> published(servers, waiting));
            } finally {
                valley.stop();
            }
        }
        try (Infrastructure servers = Infrastructure.embedded(home)) {
            Map<String, Object> laterPool = new java.util.HashMap<>(servers.properties());
            laterPool.put("valley.worker.pool", "later");
            Valley valley = Valley.start(laterPool, Map.of("server.port", "0", "valley.dispatch.pools", "later"));
            try {
                String base = base(valley);
                // Its dispatch is published again into the fresh broker, and this run's worker of its pool runs it.
                await().atMost(Duration.ofMinutes(2)).until(() -> job(base, waiting).get("status").asString()
                        .matches("SUCCEEDED|FAILED"));
                assertThat(job(base, waiting).get("status").asString()).isEqualTo("SUCCEEDED");
                JsonNode job = job(base, id);
                assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
                assertThat(job.get("name").asString()).isEqualTo("before restart");
                assertThat(download(base, id)).isEqualTo(weights);
            } finally {
                valley.stop();
            }
        }
    }

    /** Whether the job's dispatch left the outbox (the broker confirmed it). */
    private static boolean published(Infrastructure servers, String id) throws Exception {
        try (var db = java.sql.DriverManager.getConnection((String) servers.properties().get("spring.datasource.url"),
                (String) servers.properties().get("spring.datasource.username"),
                (String) servers.properties().get("spring.datasource.password"));
                var s = db.prepareStatement("select count(*) from outbox where job_id = ?::uuid and sent_at is not null")) {
            s.setString(1, id);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    private static String base(Valley valley) {
        return "http://127.0.0.1:" + valley.api().getEnvironment().getProperty("local.server.port");
    }

    private static JsonNode job(String base, String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static byte[] download(String base, String id) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id
                + "/artifacts/model.safetensors")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static HttpResponse<String> send(String base, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
