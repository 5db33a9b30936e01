package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Worker pools: a job that asks for a pool waits on that pool's queue while the default pool's worker takes later
 * jobs, and runs as soon as a worker of its pool starts; a pool this Valley does not know is refused.
 */
class PoolsEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(3);
    private static Infrastructure servers;
    private static Valley valley;
    private static ApiClient api;
    private static String gpuPool;

    @BeforeAll
    static void start() {
        servers = Infrastructure.forTests();
        // The tests' default pool is private to this run; so is the second pool.
        gpuPool = servers.properties().get("valley.worker.pool") + "-h100";
        valley = Valley.start(servers.properties(), Map.of("server.port", "0", "valley.dispatch.pools", gpuPool));
        api = new ApiClient(valley);
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static String train(String resources) throws Exception {
        return api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[16]},"epochs":2,
                 "seed":5}%s}""".formatted(resources)).get("id").asString();
    }

    @Test
    void aPooledJobRunsOnlyOnItsPoolsWorkers() throws Exception {
        String pooled = train(",\"resources\":{\"pool\":\"" + gpuPool + "\"}");
        assertThat(api.job(pooled).get("pool").asString()).isEqualTo(gpuPool);
        String plain = train("");
        assertThat(api.job(plain).get("pool").asString()).isEqualTo(servers.properties().get("valley.worker.pool"));

        // The default pool's worker runs the later job and leaves the pooled one on its queue.
        assertThat(api.awaitEnd(plain, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(api.job(pooled).get("status").asString()).isEqualTo("QUEUED");

        Map<String, Object> gpuWorker = new LinkedHashMap<>(servers.properties());
        gpuWorker.put("valley.worker.pool", gpuPool);
        try (WorkerProcess h100 = WorkerProcess.start(gpuWorker, "h100")) {
            assertThat(api.awaitEnd(pooled, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        }
    }

    @Test
    void anUnknownPoolIsRefusedNamingTheField() throws Exception {
        HttpResponse<String> response = api.post("/api/v1/jobs", """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[16]}},
                 "resources":{"pool":"a100"}}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = ApiClient.JSON.readTree(response.body());
        assertThat(problem.get("errors").findValuesAsString("field")).containsExactly("resources.pool");
        assertThat(problem.get("detail").asString()).contains("unknown pool 'a100'");
    }
}
