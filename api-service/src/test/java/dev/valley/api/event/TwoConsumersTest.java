package dev.valley.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.api.ApiTestServers;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.job.JobRepository;
import dev.valley.api.job.JobService;
import dev.valley.api.job.SubmitJobRequest;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Several api-service replicas consume one events queue: a worker's events of one attempt reach them in any order,
 * each applied in its own transaction. Whatever the order, an attempt that finished ends SUCCEEDED with its result
 * and its one artifact, and leaves no lease behind (a lease left behind would lapse and run the finished job again).
 * Against a real PostgreSQL, because the guarantee lives in its conditional updates and row locks.
 */
@SpringBootTest(properties = {"spring.config.name=api-service", "valley.dispatch.publish-interval=1h",
        "valley.auth.tokens=admin:two-consumers-test-token"})
class TwoConsumersTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ApiTestServers.register(registry);
    }

    @Autowired
    JobService jobs;
    @Autowired
    JobRepository repository;
    @Autowired
    ArtifactRepository artifacts;
    @Autowired
    ApplyJobEvent apply;
    @Autowired
    JdbcClient db;

    @Test
    void aFinishedAppliedBeforeItsStartedStillEndsTheJobAndTakesNoLease() {
        UUID id = submit();
        List<JobEvent> story = story(id, "worker-a");
        apply.apply(story.get(story.size() - 1)); // FINISHED first
        for (JobEvent e : story.subList(0, story.size() - 1)) {
            apply.apply(e);
        }
        assertThat(repository.findById(id).orElseThrow().getStatus()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(leases(List.of(id))).isZero();
        assertThat(artifacts.findByJobIdOrderByName(id)).hasSize(1);
    }

    @Test
    void twoConsumersInAnyOrderEndEveryJobOnceWithItsResultAndNoLease() throws Exception {
        List<UUID> ids = new ArrayList<>();
        List<JobEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            UUID id = submit();
            ids.add(id);
            List<JobEvent> story = story(id, "worker-" + (i % 3));
            events.addAll(story);
            events.addAll(story); // every event delivered twice, as redelivery may
            events.add(JobEvent.failed(id, 2, "worker-x", "an attempt that never was"));
        }
        Collections.shuffle(events, new Random(7));
        ConcurrentLinkedQueue<JobEvent> queue = new ConcurrentLinkedQueue<>(events);
        Runnable consumer = () -> {
            for (JobEvent e = queue.poll(); e != null; e = queue.poll()) {
                apply.apply(e);
            }
        };
        CompletableFuture.allOf(CompletableFuture.runAsync(consumer), CompletableFuture.runAsync(consumer)).get();

        for (UUID id : ids) {
            var job = repository.findById(id).orElseThrow();
            assertThat(job.getStatus()).as("job %s", id).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(artifacts.findByJobIdOrderByName(id)).as("job %s", id).hasSize(1);
        }
        assertThat(db.sql("select count(*) from job where id in (:ids) and result ->> 'id' = cast(id as text)")
                .param("ids", ids).query(Long.class).single()).isEqualTo(ids.size());
        assertThat(leases(ids)).isZero();
    }

    /** Attempt 1's events in the order its worker sends them: STARTED, three PROGRESS, FINISHED. */
    private static List<JobEvent> story(UUID id, String worker) {
        ArtifactInfo artifact = new ArtifactInfo("model.safetensors", "application/octet-stream", 12, "ab".repeat(32),
                "jobs/" + id + "/attempt-1/model.safetensors");
        return List.of(JobEvent.started(id, 1, worker, "cpu"), JobEvent.progress(id, 1, worker, 0.25, null),
                JobEvent.progress(id, 1, worker, 0.5, null), JobEvent.progress(id, 1, worker, 0.75, null),
                JobEvent.finished(id, 1, worker, JSON.readTree("{\"id\":\"" + id + "\"}"), List.of(artifact)));
    }

    private long leases(List<UUID> ids) {
        return db.sql("select count(*) from lease where job_id in (:ids)").param("ids", ids).query(Long.class)
                .single();
    }

    private UUID submit() {
        return jobs.submit(new SubmitJobRequest("train", "two-consumers",
                JSON.readTree("{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"}}"))).id();
    }
}
