package dev.valley.api.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.api.ApiTestServers;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rows of {@link JobLifecycle}'s table that the event and attempt tests do not tell, each a story on the real
 * PostgreSQL: inputs that end release or fail the jobs waiting for them, and a cancel takes the way its job's state
 * says (at once, or asked of the worker through the outbox, repeated on its heartbeats).
 */
@SpringBootTest(properties = {"spring.config.name=api-service", "valley.dispatch.publish-interval=1h",
        "valley.dispatch.lease-check=1h", "valley.auth.tokens=admin:job-lifecycle-test-token"})
class JobLifecycleTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ApiTestServers.register(registry);
    }

    @Autowired
    JobService jobs;
    @Autowired
    JobLifecycle lifecycle;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    JdbcClient db;

    @Test
    void aWaitingCurveIsQueuedWithItsDispatchWhenItsLastEndpointSucceeds() {
        UUID a = train();
        UUID b = train();
        UUID curve = curve(a, b);
        assertThat(status(curve)).isEqualTo(JobStatus.WAITING);
        succeed(a);
        assertThat(status(curve)).as("one endpoint is not enough").isEqualTo(JobStatus.WAITING);
        assertThat(outbox(curve, "DISPATCH")).isZero();
        succeed(b);
        assertThat(status(curve)).isEqualTo(JobStatus.QUEUED);
        assertThat(outbox(curve, "DISPATCH")).isEqualTo(1);
    }

    @Test
    void aWaitingCurveFailsWithTheReasonWhenAnEndpointFails() {
        UUID a = train();
        UUID b = train();
        UUID curve = curve(a, b);
        in(l -> l.started(JobEvent.started(b, 1, "w", "cpu"), Instant.now()));
        in(l -> l.endedByWorker(JobEvent.failed(b, 1, "w", "training diverged at epoch 2, step 5"),
                JobStatus.FAILED, Instant.now()));
        JobView failed = jobs.get(curve);
        assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
        assertThat(failed.error()).contains("endpoints[1]").contains(b.toString())
                .contains("training diverged at epoch 2, step 5");
        assertThat(outbox(curve, "DISPATCH")).isZero();
        // Its other endpoint runs on; the curve stays failed when it succeeds.
        succeed(a);
        assertThat(status(curve)).isEqualTo(JobStatus.FAILED);
    }

    @Test
    void cancellingARunningJobAWorkerHoldsAsksTheWorkerThroughTheOutbox() {
        UUID id = train();
        in(l -> l.started(JobEvent.started(id, 1, "w", "cpu"), Instant.now()));
        JobView asked = jobs.cancel(id);
        assertThat(asked.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(asked.cancelRequested()).isTrue();
        assertThat(outbox(id, "CONTROL")).isEqualTo(1);
        // Every heartbeat of that attempt is answered with the cancel again, until the worker stops.
        in(l -> l.progressed(JobEvent.heartbeat(id, 1, "w"), Instant.now()));
        assertThat(outbox(id, "CONTROL")).isEqualTo(2);
        in(l -> l.endedByWorker(JobEvent.cancelled(id, 1, "w"), JobStatus.CANCELLED, Instant.now()));
        assertThat(status(id)).isEqualTo(JobStatus.CANCELLED);
        assertThat(leases(id)).isZero();
    }

    @Test
    void cancellingARunningJobThatNoWorkerHoldsEndsItAtOnce() {
        UUID id = train();
        in(l -> l.started(JobEvent.started(id, 1, "w", "cpu"), Instant.now()));
        db.sql("delete from lease where job_id = ?").param(id).update();
        assertThat(jobs.cancel(id).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(outbox(id, "CONTROL")).isZero();
    }

    @Test
    void anAttemptLostWhileACancelIsRequestedEndsTheJobCancelledNotRetried() {
        UUID id = train();
        in(l -> l.started(JobEvent.started(id, 1, "w", "cpu"), Instant.now()));
        jobs.cancel(id);
        in(l -> l.attemptEnded(id, 1, "w", Attempts.Outcome.LOST, "no heartbeat", Instant.now()));
        JobView job = jobs.get(id);
        assertThat(job.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(outbox(id, "DISPATCH")).as("no second attempt").isEqualTo(1);
    }

    @Test
    void aStartOfAnAttemptThatIsNotTheJobsIsToldToStopAndChangesNothing() {
        UUID id = train();
        in(l -> l.started(JobEvent.started(id, 2, "stray", "cpu"), Instant.now()));
        assertThat(status(id)).isEqualTo(JobStatus.QUEUED);
        assertThat(leases(id)).isZero();
        assertThat(db.sql("select payload ->> 'attempt' from outbox where job_id = ? and kind = 'CONTROL'")
                .param(id).query(String.class).single()).isEqualTo("2");
    }

    private void in(Consumer<JobLifecycle> transition) {
        transactions.executeWithoutResult(status -> transition.accept(lifecycle));
    }

    private void succeed(UUID id) {
        in(l -> l.started(JobEvent.started(id, 1, "w", "cpu"), Instant.now()));
        in(l -> l.finished(JobEvent.finished(id, 1, "w", JSON.readTree("{\"testAccuracy\":0.9}"),
                List.of(new ArtifactInfo("model.safetensors", "application/octet-stream", 12, "ab".repeat(32),
                        "jobs/" + id + "/attempt-1/model.safetensors"))), Instant.now()));
    }

    private JobStatus status(UUID id) {
        return jobs.get(id).status();
    }

    private int outbox(UUID id, String kind) {
        return db.sql("select count(*) from outbox where job_id = ? and kind = ?").params(id, kind)
                .query(Integer.class).single();
    }

    private int leases(UUID id) {
        return db.sql("select count(*) from lease where job_id = ?").param(id).query(Integer.class).single();
    }

    private UUID train() {
        return jobs.submit(new SubmitJobRequest("train", "endpoint",
                JSON.readTree("{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":[8]}}"))).id();
    }

    private UUID curve(UUID a, UUID b) {
        return jobs.submit(new SubmitJobRequest("curve", "curve", JSON.readTree(
                "{\"endpoints\":[{\"job\":\"" + a + "\"},{\"job\":\"" + b + "\"}]}"))).id();
    }
}
