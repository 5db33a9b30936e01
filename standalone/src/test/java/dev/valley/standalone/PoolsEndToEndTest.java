package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * jobs, and runs as soon as a worker of its pool starts; a pool this Valley does not know is refused. And what a
 * deployment does to a pool's worker: SIGTERM drains it (the running job may finish within valley.worker.drain;
 * one that does not goes back to its pool's queue, and the worker exits).
 */
class PoolsEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(3);
    private static Infrastructure servers;
    private static Valley valley;
    private static ApiClient api;
    private static String gpuPool;
    private static String drainPool;

    @BeforeAll
    static void start() {
        servers = Infrastructure.forTests();
        // The tests' default pool is private to this run; so is the second pool.
        gpuPool = servers.properties().get("valley.worker.pool") + "-h100";
        drainPool = servers.properties().get("valley.worker.pool") + "-drain";
        valley = Valley.start(servers.properties(), Map.of("server.port", "0",
                "valley.dispatch.pools", gpuPool + "," + drainPool));
        api = new ApiClient(valley);
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static String train(String resources) throws Exception {
        return train(2, resources);
    }

    private static String train(int epochs, String resources) throws Exception {
        return api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[256,256]},"epochs":%d,
                 "seed":5}%s}""".formatted(epochs, resources)).get("id").asString();
    }

    private static String inPool(String pool) {
        return ",\"resources\":{\"pool\":\"" + pool + "\"}";
    }

    private static ServiceProcess drainingWorker(String id, Duration drain) throws Exception {
        Map<String, Object> properties = new LinkedHashMap<>(servers.properties());
        properties.put("valley.worker.pool", drainPool);
        properties.put("valley.worker.drain", drain.toMillis() + "ms");
        return ServiceProcess.worker(properties, id);
    }

    /** The job is past its start on a worker: running, with some progress reported. */
    private static void awaitUnderWay(String job) {
        await().atMost(LONG).pollInterval(Duration.ofMillis(100))
                .until(() -> api.job(job), j -> j.get("status").asString().equals("RUNNING")
                        && j.get("progress").asDouble() > 0.05);
    }

    @Test
    void aStoppedWorkerFinishesItsJobWithinTheDrainThenExits() throws Exception {
        String job = train(300, inPool(drainPool));
        try (ServiceProcess worker = drainingWorker("drains", Duration.ofMinutes(2))) {
            awaitUnderWay(job);
            Duration exit = worker.terminate(Duration.ofMinutes(3));
            // No other worker takes this pool: the job can only have ended on the worker that was told to stop.
            JsonNode done = api.awaitEnd(job, Duration.ofSeconds(30));
            assertThat(done.get("status").asString()).isEqualTo("SUCCEEDED");
            System.out.printf("worker with a 2 min drain exited %d ms after SIGTERM, its job done; the job took %s s%n",
                    exit.toMillis(), done.at("/result/seconds").asString());
            // Longer than Spring AMQP's own 5 s shutdown timeout, which the drain replaces, and within the drain.
            assertThat(exit).isBetween(Duration.ofSeconds(5), Duration.ofMinutes(2));
        }
    }

    @Test
    void aJobThatOutlastsTheDrainIsHandedBackAndResumedByTheNextWorker() throws Exception {
        String job = train(300, inPool(drainPool));
        try (ServiceProcess first = drainingWorker("short-drain", Duration.ofSeconds(1))) {
            awaitUnderWay(job);
            Duration exit = first.terminate(Duration.ofSeconds(60));
            System.out.println("worker with a 1 s drain exited " + exit.toMillis() + " ms after SIGTERM");
            assertThat(exit).isLessThan(Duration.ofSeconds(30));
            // Handed back, not left to a lease: the next attempt is queued before the worker has exited.
            JsonNode handedBack = api.job(job);
            assertThat(handedBack.get("status").asString()).isEqualTo("QUEUED");
            assertThat(handedBack.get("attempt").asInt()).isEqualTo(2);
            assertThat(handedBack.at("/earlierAttempts/0/outcome").asString()).isEqualTo("RELEASED");
            assertThat(handedBack.at("/earlierAttempts/0/worker").asString()).isEqualTo("short-drain");
        }
        try (ServiceProcess second = drainingWorker("takes-over", Duration.ofMinutes(2))) {
            JsonNode done = api.awaitEnd(job, LONG);
            assertThat(done.get("status").asString()).isEqualTo("SUCCEEDED");
            assertThat(done.get("worker").asString()).isEqualTo("takes-over");
            // The epochs before the hand-back came with the checkpoint: the history is whole.
            assertThat(done.at("/result/history")).hasSize(300);
        }
    }

    @Test
    void aPooledJobRunsOnlyOnItsPoolsWorkers() throws Exception {
        String pooled = train(inPool(gpuPool));
        assertThat(api.job(pooled).get("pool").asString()).isEqualTo(gpuPool);
        String plain = train("");
        assertThat(api.job(plain).get("pool").asString()).isEqualTo(servers.properties().get("valley.worker.pool"));

        // The default pool's worker runs the later job and leaves the pooled one on its queue.
        assertThat(api.awaitEnd(plain, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(api.job(pooled).get("status").asString()).isEqualTo("QUEUED");

        Map<String, Object> gpuWorker = new LinkedHashMap<>(servers.properties());
        gpuWorker.put("valley.worker.pool", gpuPool);
        try (ServiceProcess h100 = ServiceProcess.worker(gpuWorker, "h100")) {
            assertThat(api.awaitEnd(pooled, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        }
    }

    private static JsonNode pool(String name) throws Exception {
        HttpResponse<String> response = api.get("/api/v1/pools/" + name);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ApiClient.JSON.readTree(response.body());
    }

    /**
     * What a pool owes, the figure KEDA scales it on, counted through a job's life: a queued job and a grid waiting on
     * it; the job running on the pool's one worker, which it keeps owing (and the worker counted) at every look until
     * it ends; then the grid's tiles, queued and running, until nothing is owed.
     */
    @Test
    void aPoolOwesItsQueuedAndRunningWorkAndKeepsOwingARunningJob() throws Exception {
        String pool = servers.properties().get("valley.worker.pool") + "-owes";
        JsonNode all = ApiClient.JSON.readTree(api.get("/api/v1/pools").body());
        assertThat(all.findValuesAsString("pool")).contains(gpuPool, drainPool).doesNotContain(pool);
        assertThat(api.get("/api/v1/pools/" + pool).statusCode()).isEqualTo(404);

        String trained = train(40, inPool(drainPool));
        String grid = api.submit("""
                {"type":"grid","spec":{"plane":{"kind":"random","center":{"job":"%s"}},"resolution":[4,4],
                 "tile":[2,2]},"resources":{"pool":"%s"}}""".formatted(trained, drainPool)).get("id").asString();
        JsonNode before = pool(drainPool);
        assertThat(before.at("/jobs").toString()).isEqualTo("{\"waiting\":1,\"queued\":1,\"running\":0}");
        assertThat(before.get("owed").asLong()).isEqualTo(1); // the grid waits on the training: not yet owed
        assertThat(before.at("/tiles/queued").asLong()).isZero(); // a waiting grid's tiles are not dispatched yet
        assertThat(before.get("workers").asLong()).isZero();

        try (ServiceProcess worker = drainingWorker("owes", Duration.ofMinutes(1))) {
            await().atMost(LONG).pollInterval(Duration.ofMillis(50)).until(() -> api.job(trained),
                    j -> !j.get("status").asString().equals("QUEUED"));
            java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
            await().atMost(LONG).pollInterval(Duration.ofMillis(100)).until(() -> {
                JsonNode running = pool(drainPool);
                // Read after the figures: a job still running now was running when they were counted.
                if (!api.job(trained).get("status").asString().equals("RUNNING")) {
                    return true;
                }
                assertThat(running.get("owed").asLong()).as(running.toString()).isGreaterThanOrEqualTo(1);
                assertThat(running.at("/jobs/running").asLong()).isEqualTo(1);
                assertThat(running.get("workers").asLong()).isEqualTo(1);
                looks.incrementAndGet();
                return false;
            });
            System.out.println("pool " + drainPool + " owed its running job at each of " + looks + " looks");
            assertThat(looks.get()).isGreaterThan(5);
            assertThat(api.awaitEnd(trained, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
            // The grid's tiles: every open one queued or running, and owed (at least its assembly), until it ends.
            java.util.concurrent.atomic.AtomicInteger tileLooks = new java.util.concurrent.atomic.AtomicInteger();
            await().atMost(LONG).pollInterval(Duration.ofMillis(20)).until(() -> {
                JsonNode p = pool(drainPool);
                String status = api.job(grid).get("status").asString();
                if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                    return true;
                }
                long open = p.at("/tiles/queued").asLong() + p.at("/tiles/running").asLong();
                assertThat(open).as(p.toString()).isLessThanOrEqualTo(4);
                assertThat(p.get("owed").asLong()).as(p.toString()).isEqualTo(Math.max(1, open));
                tileLooks.incrementAndGet();
                return false;
            });
            assertThat(tileLooks.get()).isPositive();
            assertThat(api.awaitEnd(grid, LONG).get("status").asString()).isEqualTo("SUCCEEDED");
        }
        JsonNode after = pool(drainPool);
        assertThat(after.get("owed").asLong()).isZero();
        assertThat(after.at("/tiles").toString()).isEqualTo("{\"queued\":0,\"running\":0}");
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
