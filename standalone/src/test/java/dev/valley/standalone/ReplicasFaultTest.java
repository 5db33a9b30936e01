package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Two api-service processes share one PostgreSQL and one broker, with two workers; 1,000 short jobs are submitted
 * round-robin to both, and one api process is SIGKILLed mid-run and started again. Every accepted job must end
 * SUCCEEDED, each after one attempt with its one artifact (none recorded twice), and storage must hold exactly the
 * recorded artifacts: the checkpoints of jobs whose cleanup the killed process had not run, and those of attempts
 * that ran twice (a dispatch published again after the kill), go too (CI once saw them left). A submission that
 * fails is retried: only those sent to the killed process may fail; one whose job was stored before the kill (its
 * name is in the database) is not sent again.
 */
class ReplicasFaultTest {
    private static final int JOBS = 1000;
    private static final int KILL_AT = 400;

    @Test
    void aThousandJobsThroughTwoApiReplicasOneKilled() throws Exception {
        Map<String, Object> servers = new HashMap<>(Infrastructure.forTests().properties());
        String pool = "replicas-" + UUID.randomUUID().toString().substring(0, 8);
        servers.put("valley.dispatch.default-pool", pool);
        servers.put("valley.worker.pool", pool);
        Map<String, Object> api = new LinkedHashMap<>(servers);
        api.put("valley.dispatch.lease", "30s");
        api.put("valley.dispatch.lease-check", "1s");
        // The broker keeps its queues while an api process dies: a restarted one must not publish again.
        api.put("valley.dispatch.republish-on-start", "false");
        // The cleanups the killed process had queued but not run are the sweep's: soon, in this test.
        api.put("valley.storage.cleanup-sweep", "5s");
        Map<String, Object> worker = new LinkedHashMap<>(servers);
        worker.put("valley.worker.heartbeat-interval", "1s");
        worker.put("valley.worker.poll-interval", "100ms");
        int[] ports = {freePort(), freePort()};
        ServiceProcess[] apis = {ServiceProcess.api(api, "api-1", ports[0]), ServiceProcess.api(api, "api-2",
                ports[1])};
        long start = System.nanoTime();
        try (ServiceProcess a = ServiceProcess.worker(worker, "replicas-a");
                ServiceProcess b = ServiceProcess.worker(worker, "replicas-b");
                Jobs jobs = new Jobs(servers, pool)) {
            ApiClient[] clients = {new ApiClient(ports[0]), new ApiClient(ports[1])};
            List<String> submitted = new CopyOnWriteArrayList<>();
            AtomicInteger[] errors = {new AtomicInteger(), new AtomicInteger()};
            AtomicInteger storedBeforeTheKill = new AtomicInteger();
            CompletableFuture<Void> submitting = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < JOBS; i++) {
                    String name = pool + "-" + i;
                    String body = """
                            {"type":"train","name":"%s","spec":{"dataset":"spirals",
                             "model":{"arch":"mlp","hidden":[4]},"epochs":1,"seed":%d}}""".formatted(name, i);
                    int to = i % 2;
                    while (true) {
                        try {
                            HttpResponse<String> response = clients[to].post("/api/v1/jobs", body);
                            if (response.statusCode() == 201) {
                                submitted.add(name);
                                break;
                            }
                            errors[to].incrementAndGet();
                        } catch (Exception e) {
                            errors[to].incrementAndGet();
                        }
                        // Lost with the process, or stored before it died? The database knows.
                        if (jobs.exists(name)) {
                            storedBeforeTheKill.incrementAndGet();
                            submitted.add(name);
                            break;
                        }
                        to = 1 - to; // the other replica, as a load balancer would
                    }
                }
            });
            Duration atMost = Duration.ofMinutes(8);
            await().atMost(atMost).until(() -> submitted.size() >= KILL_AT && jobs.running() > 0);
            apis[0].kill();
            long killedAt = System.nanoTime();
            apis[0] = ServiceProcess.api(api, "api-1", ports[0]);
            double restart = (System.nanoTime() - killedAt) / 1e9;

            submitting.get();
            await().atMost(atMost).pollInterval(Duration.ofSeconds(1)).until(() -> jobs.ended() == JOBS);
            Map<String, Integer> states = jobs.states();
            String cleanupsDue = "select count(*) from object_cleanup c join job j on j.id = c.job_id"
                    + " where j.name like ?";
            int dueWhenAllEnded = jobs.count(cleanupsDue);
            int retried = jobs.count("select count(*) from job where name like ? and attempt > 1");
            int duplicates = jobs.count("""
                    select count(*) from (select a.job_id from artifact a join job j on j.id = a.job_id
                    where j.name like ? group by a.job_id having count(*) > 1) d""");
            assertThat(submitted).hasSize(JOBS).doesNotHaveDuplicates();
            assertThat(jobs.count("select count(*) from job where name like ?")).isEqualTo(JOBS);
            assertThat(states).isEqualTo(Map.of("SUCCEEDED", JOBS));
            assertThat(retried).isZero();
            assertThat(duplicates).isZero();
            assertThat(errors[1].get()).as("errors from the replica that was not killed").isZero();

            Set<String> recorded = jobs.artifactKeys();
            try (S3Client s3 = s3(servers)) {
                String bucket = (String) servers.getOrDefault("valley.storage.bucket", "valley");
                Set<String> ids = jobs.ids();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> jobs.count(cleanupsDue) == 0 && stored(s3, bucket, ids).equals(recorded));
            }
            System.out.printf("replicas fault: %d jobs submitted round-robin to two api processes in %.0f s, one"
                    + " SIGKILLed after %d and back in %.1f s; final states %s; attempts beyond the first %d;"
                    + " duplicate artifacts %d; failed requests %d to the killed process (%d of them had stored"
                    + " their job), %d to the other; storage cleanups due when all had ended %d, then none;"
                    + " objects in storage = recorded artifacts (%d)%n", JOBS,
                    (System.nanoTime() - start) / 1e9, KILL_AT, restart, states, retried, duplicates,
                    errors[0].get(), storedBeforeTheKill.get(), errors[1].get(), dueWhenAllEnded, recorded.size());
        } finally {
            for (ServiceProcess p : apis) {
                p.close();
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static S3Client s3(Map<String, Object> servers) {
        return S3Client.builder().endpointOverride(URI.create((String) servers.get("valley.storage.endpoint")))
                .region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        (String) servers.get("valley.storage.access-key"),
                        (String) servers.get("valley.storage.secret-key")))).build();
    }

    private static Set<String> stored(S3Client s3, String bucket, Set<String> ids) {
        return s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("jobs/")).contents().stream()
                .map(S3Object::key).filter(key -> ids.contains(key.split("/")[1])).collect(Collectors.toSet());
    }

    /** This test's jobs, read straight from the database: their names start with the pool's. */
    private static final class Jobs implements AutoCloseable {
        private final Connection db;
        private final String like;

        Jobs(Map<String, Object> servers, String pool) throws Exception {
            this.db = DriverManager.getConnection((String) servers.get("spring.datasource.url"),
                    (String) servers.get("spring.datasource.username"),
                    (String) servers.get("spring.datasource.password"));
            this.like = pool + "-%";
        }

        synchronized boolean exists(String name) {
            try (PreparedStatement s = db.prepareStatement("select count(*) from job where name = ?")) {
                s.setString(1, name);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1) > 0;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        int running() throws Exception {
            return count("select count(*) from job where name like ? and status = 'RUNNING'");
        }

        int ended() throws Exception {
            return count("select count(*) from job where name like ? and status in ('SUCCEEDED', 'FAILED',"
                    + " 'CANCELLED')");
        }

        synchronized int count(String sql) throws Exception {
            try (PreparedStatement s = db.prepareStatement(sql)) {
                s.setString(1, like);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        }

        synchronized Map<String, Integer> states() throws Exception {
            Map<String, Integer> states = new HashMap<>();
            try (PreparedStatement s = db.prepareStatement(
                    "select status, count(*) from job where name like ? group by status")) {
                s.setString(1, like);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        states.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
            return states;
        }

        synchronized Set<String> artifactKeys() throws Exception {
            return strings("select a.object_key from artifact a join job j on j.id = a.job_id where j.name like ?");
        }

        synchronized Set<String> ids() throws Exception {
            return strings("select cast(id as text) from job where name like ?");
        }

        private Set<String> strings(String sql) throws Exception {
            Set<String> values = new HashSet<>();
            try (PreparedStatement s = db.prepareStatement(sql)) {
                s.setString(1, like);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        values.add(rs.getString(1));
                    }
                }
            }
            return values;
        }

        @Override
        public void close() throws Exception {
            db.close();
        }
    }
}
