package dev.valley.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.api.ApiTestServers;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.job.JobRepository;
import dev.valley.api.job.JobService;
import dev.valley.api.job.JobView;
import dev.valley.api.job.SubmitJobRequest;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The attempt number fences: events of another attempt, duplicates and events after a final state change nothing.
 * Against a real PostgreSQL, because the guarantee lives in its conditional updates.
 */
@SpringBootTest(properties = {"spring.config.name=api-service", "valley.dispatch.publish-interval=1h",
        "valley.auth.tokens=admin:apply-job-event-test-token"})
class ApplyJobEventTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String WORKER = "test-worker";

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

    @Test
    void eventsOfAnotherAttemptChangeNothing() {
        UUID id = submit();
        apply.apply(JobEvent.started(id, 2, WORKER, "cpu"));
        apply.apply(JobEvent.failed(id, 2, WORKER, "from a superseded attempt"));
        assertThat(status(id)).isEqualTo(JobStatus.QUEUED);
        apply.apply(JobEvent.started(id, 1, WORKER, "cpu"));
        assertThat(status(id)).isEqualTo(JobStatus.RUNNING);
        apply.apply(JobEvent.progress(id, 1, WORKER, 0.5, null));
        apply.apply(JobEvent.progress(id, 2, WORKER, 0.9, null));
        assertThat(repository.findById(id).orElseThrow().getProgress()).isEqualTo(0.5);
    }

    @Test
    void finishedRecordsResultAndArtifactsOnceAndFinalStatesStay() {
        UUID id = submit();
        apply.apply(JobEvent.started(id, 1, WORKER, "cpu"));
        var artifact = new ArtifactInfo("model.safetensors", "application/octet-stream", 12, "ab".repeat(32),
                "jobs/" + id + "/attempt-1/model.safetensors");
        var result = JSON.readTree("{\"testAccuracy\": 0.87}");
        apply.apply(JobEvent.finished(id, 1, WORKER, result, List.of(artifact)));
        apply.apply(JobEvent.finished(id, 1, WORKER, JSON.readTree("{\"testAccuracy\": 0.1}"), List.of(artifact)));
        apply.apply(JobEvent.failed(id, 1, WORKER, "too late"));
        apply.apply(JobEvent.cancelled(id, 1, WORKER));

        JobView job = jobs.get(id);
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.progress()).isEqualTo(1.0);
        assertThat(job.result().get("testAccuracy").asDouble()).isEqualTo(0.87);
        assertThat(job.error()).isNull();
        assertThat(job.artifacts()).extracting(JobView.ArtifactView::name).containsExactly("model.safetensors");
        assertThat(artifacts.findByJobIdOrderByName(id)).hasSize(1);
    }

    @Test
    void cancellingAQueuedJobEndsItAndItsLateStartChangesNothing() {
        UUID id = submit();
        assertThat(jobs.cancel(id).status()).isEqualTo(JobStatus.CANCELLED);
        apply.apply(JobEvent.started(id, 1, WORKER, "cpu"));
        apply.apply(JobEvent.finished(id, 1, WORKER, JSON.readTree("{}"), List.of()));
        assertThat(status(id)).isEqualTo(JobStatus.CANCELLED);
    }

    private JobStatus status(UUID id) {
        return repository.findById(id).orElseThrow().getStatus();
    }

    private UUID submit() {
        return jobs.submit(new SubmitJobRequest("train", "fencing",
                JSON.readTree("{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"}}"))).id();
    }
}
