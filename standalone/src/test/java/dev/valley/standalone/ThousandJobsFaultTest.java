package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Fault test (a) of issue 6: 1,000 small jobs are submitted while a RabbitMQ node of the test's own is stopped and
 * started twice and one of two worker JVMs is SIGKILLed mid-job. Every job must end SUCCEEDED, with its result and
 * its one artifact recorded once, and storage must hold exactly the recorded artifacts (no second upload, no
 * checkpoint left behind). The job states are read from the database, by this test's job name.
 */
class ThousandJobsFaultTest {
    private static final int JOBS = 1000;
    /** The one job that runs for seconds, not milliseconds: the one the killed worker is running. */
    private static final int LONG_JOB = 300;
    private static final int LONG_EPOCHS = 400;

    @TempDir
    Path dir;

    @Test
    void aThousandJobsThroughTwoBrokerRestartsAndAKilledWorker() throws Exception {
        try (PrivateRabbitMq broker = PrivateRabbitMq.start(dir.resolve("rabbitmq"))) {
            Map<String, Object> servers = new HashMap<>(Infrastructure.forTests().properties());
            servers.put("spring.rabbitmq.host", "127.0.0.1");
            servers.put("spring.rabbitmq.port", broker.port());
            String pool = "thousand-" + UUID.randomUUID().toString().substring(0, 8);
            servers.put("valley.dispatch.default-pool", pool);
            servers.put("valley.worker.pool", pool);
            Map<String, Object> workerProperties = new LinkedHashMap<>(servers);
            workerProperties.put("valley.worker.heartbeat-interval", "1s");
            workerProperties.put("valley.worker.poll-interval", "100ms");
            // A lease outlasts a broker restart (heartbeats cannot arrive meanwhile) but not a killed worker by much.
            ConfigurableApplicationContext apiContext = Valley.startApi(servers, Map.of("server.port", "0",
                    "valley.dispatch.lease", "30s", "valley.dispatch.lease-check", "1s"));
            String name = pool;
            long start = System.nanoTime();
            try (ServiceProcess a = ServiceProcess.worker(workerProperties, "thousand-a");
                    ServiceProcess b = ServiceProcess.worker(workerProperties, "thousand-b");
                    Jobs jobs = new Jobs(servers, name)) {
                ApiClient api = new ApiClient(apiContext);
                List<String> submitted = new CopyOnWriteArrayList<>();
                CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < JOBS; i++) {
                        try {
                            submitted.add(api.submit("""
                                    {"type":"train","name":"%s","spec":{"dataset":"spirals",
                                     "model":{"arch":"mlp","hidden":[4]},"epochs":%d,"seed":%d}}""".formatted(name,
                                    i == LONG_JOB ? LONG_EPOCHS : 1, i)).get("id").asString());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                Duration atMost = Duration.ofMinutes(8);

                // Outage 1, early: submissions go on meanwhile (the outbox keeps them).
                await().atMost(atMost).until(() -> jobs.succeeded() >= 100);
                broker.down();
                int submittedAtFirstOutage = submitted.size();
                await().atMost(atMost).until(() -> submitted.size() >= Math.min(JOBS, submittedAtFirstOutage + 150));
                broker.up();
                double firstRecovery = recovery(jobs);

                // A worker killed mid-job: its lease lapses and the job runs again on the other worker. The job is
                // the long one, caught between 2 % and 50 % done, so that it cannot have finished unseen (a
                // one-epoch job could have sent FINISHED before the kill while its row still said RUNNING).
                await().atMost(atMost).until(() -> submitted.size() > LONG_JOB);
                String killedJob = submitted.get(LONG_JOB);
                String killedWorker = await().atMost(atMost).pollInterval(Duration.ofMillis(20))
                        .until(() -> jobs.workerMidway(killedJob), worker -> worker != null);
                (killedWorker.equals(a.id()) ? a : b).kill();
                long killedAt = System.nanoTime();

                // Outage 2, later.
                await().atMost(atMost).until(() -> jobs.succeeded() >= 500);
                broker.down();
                int submittedAtSecondOutage = submitted.size();
                await().atMost(atMost).until(() -> submitted.size() >= Math.min(JOBS, submittedAtSecondOutage + 150));
                broker.up();
                double secondRecovery = recovery(jobs);

                submitting.get();
                await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> jobs.ended() == JOBS);
                double killedJobDone = (jobs.finishedAt(killedJob) - killedAt) / 1e9;

                Map<String, Integer> states = jobs.states();
                int retried = jobs.retried();
                int duplicates = jobs.artifactRowsBeyondOne();
                assertThat(submitted).hasSize(JOBS);
                assertThat(states).isEqualTo(Map.of("SUCCEEDED", JOBS));
                assertThat(duplicates).isZero();
                assertThat(jobs.artifactsNotOfTheFinalAttempt()).isZero();
                assertThat(jobs.attemptOf(killedJob)).isGreaterThanOrEqualTo(2);

                // Storage holds exactly the recorded artifacts, once the ended jobs' leftovers are removed.
                S3Client s3 = apiContext.getBean(S3Client.class);
                String bucket = apiContext.getEnvironment().getProperty("valley.storage.bucket");
                Set<String> recorded = jobs.artifactKeys();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> stored(s3, bucket, submitted).equals(recorded));

                System.out.printf("fault (a): %d jobs submitted in %.0f s of faults; final states %s; %d ran more than"
                        + " one attempt; duplicate results or artifacts: %d; objects in storage = recorded artifacts"
                        + " (%d); first job done %.1f s and %.1f s after each broker restart; the killed worker's job"
                        + " done %.1f s after the kill (lease 30 s)%n", submitted.size(),
                        (System.nanoTime() - start) / 1e9, states, retried, duplicates, recorded.size(),
                        firstRecovery, secondRecovery, killedJobDone);
            } finally {
                apiContext.close();
            }
        }
    }

    /** Seconds from now (the broker just returned) until one more job succeeded. */
    private static double recovery(Jobs jobs) throws Exception {
        long up = System.nanoTime();
        int before = jobs.succeeded();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100))
                .until(() -> jobs.succeeded() > before);
        return (System.nanoTime() - up) / 1e9;
    }

    private static Set<String> stored(S3Client s3, String bucket, List<String> ids) {
        Set<String> jobs = Set.copyOf(ids);
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("jobs/")).contents().stream()
                .map(S3Object::key)
                .filter(key -> jobs.contains(key.split("/")[1]))
                .collect(Collectors.toSet());
    }

    /** This test's jobs, read straight from the database by their name. */
    private static final class Jobs implements AutoCloseable {
        private final Connection db;
        private final String name;

        Jobs(Map<String, Object> servers, String name) throws Exception {
            this.db = DriverManager.getConnection((String) servers.get("spring.datasource.url"),
                    (String) servers.get("spring.datasource.username"),
                    (String) servers.get("spring.datasource.password"));
            this.name = name;
        }

        int succeeded() throws Exception {
            return count("select count(*) from job where name = ? and status = 'SUCCEEDED'");
        }

        int ended() throws Exception {
            return count("select count(*) from job where name = ? and status in ('SUCCEEDED', 'FAILED', 'CANCELLED')");
        }

        int retried() throws Exception {
            return count("select count(*) from job where name = ? and attempt > 1");
        }

        int artifactRowsBeyondOne() throws Exception {
            return count("""
                    select count(*) from (select a.job_id from artifact a join job j on j.id = a.job_id
                    where j.name = ? group by a.job_id having count(*) > 1) d""");
        }

        int artifactsNotOfTheFinalAttempt() throws Exception {
            return count("""
                    select count(*) from artifact a join job j on j.id = a.job_id
                    where j.name = ? and a.attempt <> j.attempt""");
        }

        Map<String, Integer> states() throws Exception {
            Map<String, Integer> states = new HashMap<>();
            try (PreparedStatement s = db.prepareStatement(
                    "select status, count(*) from job where name = ? group by status")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        states.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return states;
        }

        Set<String> artifactKeys() throws Exception {
            Set<String> keys = new java.util.HashSet<>();
            try (PreparedStatement s = db.prepareStatement(
                    "select a.object_key from artifact a join job j on j.id = a.job_id where j.name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                }
            }
            return keys;
        }

        /** The worker running job {@code id}, once the job is between 2 % and 50 % done; null before. */
        String workerMidway(String id) throws Exception {
            try (PreparedStatement s = db.prepareStatement("""
                    select worker from job
                    where id = ?::uuid and status = 'RUNNING' and progress between 0.02 and 0.5""")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }

        int attemptOf(String id) throws Exception {
            try (PreparedStatement s = db.prepareStatement("select attempt from job where id = ?::uuid")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }

        /** System.nanoTime() when the job finished, from its finished_at. */
        long finishedAt(String id) throws Exception {
            try (PreparedStatement s = db.prepareStatement("select finished_at from job where id = ?::uuid")) {
                s.setString(1, id);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    long ago = java.time.Instant.now().toEpochMilli() - rs.getTimestamp(1).getTime();
                    return System.nanoTime() - ago * 1_000_000;
                }
            }
        }

        private int count(String sql) throws Exception {
            try (PreparedStatement s = db.prepareStatement(sql)) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }

        @Override
        public void close() throws Exception {
            db.close();
        }
    }
}
