package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import dev.valley.embedded.OutageServer;
import dev.valley.model.queue.Queues;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Fault tests (b) and (c) of issue 6, against real worker JVMs, the real broker and a real PostgreSQL: a worker
 * killed mid-training, whose job resumes from its checkpoint on another worker; a message on the dispatch queue that
 * is no dispatch; PostgreSQL restarted while jobs are being dispatched and run (the test's own, {@link OutageServer}:
 * embedded, or with {@code VALLEY_TEST_SERVERS=containers} a PostgreSQL container stopped and started).
 */
class FaultsTest {
    private static final Duration LONG = Duration.ofMinutes(4);

    private static Map<String, Object> privatePool(Map<String, Object> servers) {
        Map<String, Object> properties = new LinkedHashMap<>(servers);
        String pool = "faults-" + UUID.randomUUID().toString().substring(0, 8);
        properties.put("valley.dispatch.default-pool", pool);
        properties.put("valley.worker.pool", pool);
        return properties;
    }

    private static Map<String, Object> worker(Map<String, Object> servers) {
        Map<String, Object> properties = new LinkedHashMap<>(servers);
        properties.put("valley.worker.heartbeat-interval", "500ms");
        properties.put("valley.worker.poll-interval", "100ms");
        return properties;
    }

    @Test
    void aKilledWorkersTrainingResumesFromItsCheckpointOnAnotherWorkerAndEndsAsAnUninterruptedRun()
            throws Exception {
        Map<String, Object> servers = privatePool(Infrastructure.forTests().properties());
        ConfigurableApplicationContext apiContext = Valley.startApi(servers, Map.of("server.port", "0",
                "valley.dispatch.lease", "3s", "valley.dispatch.lease-check", "500ms"));
        try {
            ApiClient api = new ApiClient(apiContext);
            // Two messages that are no dispatch wait first on the pool's queue; they must not block the job.
            String marker = UUID.randomUUID().toString();
            RabbitTemplate rabbit = apiContext.getBean(RabbitTemplate.class);
            String pool = (String) servers.get("valley.worker.pool");
            rabbit.send(Queues.DISPATCH_EXCHANGE, pool, text("not json at all " + marker));
            rabbit.send(Queues.DISPATCH_EXCHANGE, pool, text("{\"note\":\"" + marker + "\",\"attempt\":0}"));

            String spec = """
                    {"type":"train","name":"resume","spec":{"dataset":"spirals",
                     "model":{"arch":"mlp","hidden":[256,256]},"epochs":150,"seed":11}}""";
            String job = api.submit(spec).get("id").asString();
            long killedAt;
            try (ServiceProcess doomed = ServiceProcess.worker(worker(servers), "doomed")) {
                await().atMost(LONG).pollInterval(Duration.ofMillis(100)).until(() -> api.job(job),
                        j -> j.get("status").asString().equals("RUNNING") && j.get("progress").asDouble() >= 0.1);
                doomed.kill();
                killedAt = System.nanoTime();
            }
            // No hand-back from a SIGKILLed worker: its lease (3 s) lapses and the job is queued as attempt 2.
            JsonNode requeued = api.awaitStatus(job, "QUEUED", Duration.ofMinutes(1));
            assertThat(requeued.get("attempt").asInt()).isEqualTo(2);
            assertThat(requeued.at("/earlierAttempts/0/outcome").asString()).isEqualTo("LOST");
            assertThat(requeued.at("/earlierAttempts/0/worker").asString()).isEqualTo("doomed");
            double lostAfter = (System.nanoTime() - killedAt) / 1e9;

            try (ServiceProcess heir = ServiceProcess.worker(worker(servers), "heir")) {
                JsonNode done = api.awaitEnd(job, LONG);
                assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("worker").asString()).isEqualTo("heir");
                int resumedAfter = done.at("/result/resumedAfterEpoch").asInt();
                // It was killed at 10 % or later (in epoch 15 of 150 or beyond) with a checkpoint after every epoch.
                assertThat(resumedAfter).isBetween(14, 149);
                assertThat(done.at("/result/history")).hasSize(150);

                // The second method: the same spec, run whole on one worker, ends with the same weights.
                String whole = api.submit(spec).get("id").asString();
                JsonNode reference = api.awaitEnd(whole, LONG);
                assertThat(reference.at("/result/resumedAfterEpoch").asInt()).isZero();
                assertThat(done.at("/artifacts/0/sha256").asString())
                        .isEqualTo(reference.at("/artifacts/0/sha256").asString());
                assertThat(done.at("/result/testAccuracy").asDouble())
                        .isEqualTo(reference.at("/result/testAccuracy").asDouble());
                System.out.printf("fault (b): worker killed at %.0f %%; attempt 2 queued %.1f s later; resumed after"
                        + " epoch %d of 150 on another worker; final weights equal an uninterrupted run's (sha256 %s)%n",
                        requeued.get("progress").asDouble() * 100, lostAfter, resumedAfter,
                        done.at("/artifacts/0/sha256").asString().substring(0, 12));
            }

            // Both messages were dead-lettered, not redelivered for ever.
            List<String> deadLetters = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Message m = rabbit.receive(Queues.DEAD_LETTER_QUEUE);
                if (m != null) {
                    deadLetters.add(new String(m.getBody(), StandardCharsets.UTF_8));
                }
                return deadLetters.stream().filter(b -> b.contains(marker)).count() == 2;
            });
        } finally {
            apiContext.close();
        }
    }

    @Test
    void postgresRestartedWhileJobsAreDispatchedLosesNothing(@TempDir Path dir) throws Exception {
        OutageServer database = OutageServer.database(dir);
        Map<String, Object> servers = privatePool(Infrastructure.forTests().properties());
        servers.putAll(database.properties());
        servers.remove("spring.flyway.schemas");
        Valley valley = Valley.start(servers, Map.of("server.port", "0"));
        try {
            ApiClient api = new ApiClient(valley);
            List<String> accepted = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                accepted.add(api.submit(small(i)).get("id").asString());
            }
            await().atMost(LONG).until(() -> succeeded(api, accepted) >= 5);

            database.stop();
            long downAt = System.nanoTime();
            // While it is away a submission is refused as unavailable, with nothing stored.
            HttpResponse<String> refused = api.post("/api/v1/jobs", small(99));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            database.start();
            double outage = (System.nanoTime() - downAt) / 1e9;
            long upAt = System.nanoTime();
            int before = succeeded(api, accepted);

            for (int i = 30; i < 40; i++) {
                accepted.add(api.submit(small(i)).get("id").asString());
            }
            await().atMost(LONG).pollInterval(Duration.ofMillis(200)).until(() -> succeeded(api, accepted) > before);
            double recovered = (System.nanoTime() - upAt) / 1e9;
            for (String id : accepted) {
                JsonNode done = api.awaitEnd(id, LONG);
                assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
                assertThat(done.get("artifacts")).hasSize(1);
            }
            assertThat(api.jobCount()).isEqualTo(accepted.size());
            System.out.printf("fault (c), PostgreSQL as %s: down %.1f s with %d of 30 jobs done; first job done %.1f s"
                    + " after it returned; %d accepted jobs, all SUCCEEDED, each with one artifact; 1 submission"
                    + " refused 503%n", database.description(), outage, before, recovered, accepted.size());
        } finally {
            valley.stop();
            database.close();
        }
    }

    private static int succeeded(ApiClient api, List<String> ids) throws Exception {
        int n = 0;
        for (String id : ids) {
            HttpResponse<String> response = api.get("/api/v1/jobs/" + id);
            if (response.statusCode() == 200
                    && ApiClient.JSON.readTree(response.body()).get("status").asString().equals("SUCCEEDED")) {
                n++;
            }
        }
        return n;
    }

    private static String small(int seed) {
        return """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":3,"seed":%d}}"""
                .formatted(seed);
    }

    private static Message text(String body) {
        return MessageBuilder.withBody(body.getBytes(StandardCharsets.UTF_8)).setContentType("application/json")
                .build();
    }
}
