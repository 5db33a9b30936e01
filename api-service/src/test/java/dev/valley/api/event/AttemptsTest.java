package dev.valley.api.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.valley.api.ApiTestServers;
import dev.valley.api.artifact.AttemptObjects;
import dev.valley.storage.StorageProperties;
import dev.valley.api.job.Attempts;
import dev.valley.api.job.JobService;
import dev.valley.api.job.JobView;
import dev.valley.api.job.LeaseMonitor;
import dev.valley.api.job.SubmitJobRequest;
import dev.valley.model.artifact.ArtifactKeys;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * What ends an attempt without ending its job, against a real PostgreSQL: an infrastructure failure is retried after
 * the configured backoff, an input failure never, a hand-back at once and without counting, a lapsed lease as a
 * lost attempt; a job that has lost its most attempts fails with the reason; late events of an ended attempt change
 * nothing. The outbox is not published here (publish interval 1 h), so its rows can be read as written.
 */
@SpringBootTest(properties = {"spring.config.name=api-service", "valley.dispatch.publish-interval=1h",
        "valley.dispatch.lease-check=1h", "valley.storage.cleanup-sweep=1h", "valley.dispatch.retry-backoff=7s",
        "valley.dispatch.lease=60s", "valley.auth.tokens=admin:attempts-test-token-0000"})
class AttemptsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ApiTestServers.register(registry);
    }

    @Autowired
    JobService jobs;
    @Autowired
    ApplyJobEvent apply;
    @Autowired
    LeaseMonitor leaseMonitor;
    @Autowired
    JdbcClient db;
    @Autowired
    S3Client s3;
    @Autowired
    StorageProperties storage;
    @Autowired
    AttemptObjects objects;

    @Test
    void anInterruptedAttemptIsRetriedAfterTheBackoffUntilTheJobHasLostItsMostAttempts() {
        UUID id = submit(2);
        apply.apply(JobEvent.started(id, 1, "w1", "cpu"));
        JobEvent interrupted = JobEvent.interrupted(id, 1, "w1", "storage unreachable");
        apply.apply(interrupted);

        JobView job = jobs.get(id);
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.attempt()).isEqualTo(2);
        // The first retry waits retry-backoff (7 s, set above) after the event.
        // (PostgreSQL keeps microseconds, rounded.)
        assertThat(availableAt(id, 2)).isCloseTo(interrupted.at().plusSeconds(7), within(1, ChronoUnit.MILLIS));

        apply.apply(JobEvent.started(id, 2, "w2", "cpu"));
        apply.apply(JobEvent.interrupted(id, 2, "w2", "device out of memory"));
        job = jobs.get(id);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.error()).contains("device out of memory").contains("2 of 2 attempts");
        assertThat(job.earlierAttempts()).extracting(Attempts.Ended::attempt, Attempts.Ended::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, Attempts.Outcome.INTERRUPTED),
                        org.assertj.core.groups.Tuple.tuple(2, Attempts.Outcome.INTERRUPTED));
        assertThat(dispatches(id)).isEqualTo(2);
    }

    @Test
    void aJobThatFailsForItsInputIsNotRetried() {
        UUID id = submit(3);
        apply.apply(JobEvent.started(id, 1, "w1", "cpu"));
        apply.apply(JobEvent.failed(id, 1, "w1", "training diverged: loss NaN at epoch 3, step 7"));
        JobView job = jobs.get(id);
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.attempt()).isEqualTo(1);
        assertThat(job.error()).isEqualTo("training diverged: loss NaN at epoch 3, step 7");
        assertThat(dispatches(id)).isEqualTo(1);
    }

    @Test
    void aHandedBackAttemptIsDispatchedAtOnceAndDoesNotCount() {
        UUID id = submit(1);
        apply.apply(JobEvent.started(id, 1, "w1", "cpu"));
        apply.apply(JobEvent.released(id, 1, "w1", "worker stopping"));
        JobView job = jobs.get(id);
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(availableAt(id, 2)).isNull();

        // The handed-back attempt's late words change nothing; the new attempt runs.
        apply.apply(JobEvent.heartbeat(id, 1, "w1"));
        apply.apply(JobEvent.finished(id, 1, "w1", JSON.readTree("{}"), List.of()));
        assertThat(jobs.get(id).status()).isEqualTo(JobStatus.QUEUED);
        apply.apply(JobEvent.started(id, 2, "w2", "cpu"));
        apply.apply(JobEvent.finished(id, 2, "w2", JSON.readTree("{\"testAccuracy\":0.5}"), List.of()));
        assertThat(jobs.get(id).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void aLapsedLeaseGivesTheJobANewAttemptAndARenewedOneDoesNot() {
        UUID lost = submit(3);
        UUID alive = submit(3);
        apply.apply(JobEvent.started(lost, 1, "killed", "cpu"));
        apply.apply(JobEvent.started(alive, 1, "busy", "cpu"));
        // Both leases were taken two minutes ago (lease 60 s); only one worker has renewed its lease since.
        Instant old = Instant.now().minus(Duration.ofMinutes(2));
        db.sql("update lease set heartbeat_at = ? where job_id in (?, ?)").params(Timestamp.from(old), lost, alive)
                .update();
        apply.apply(JobEvent.heartbeat(alive, 1, "busy"));

        leaseMonitor.expire();

        JobView job = jobs.get(lost);
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.attempt()).isEqualTo(2);
        assertThat(job.earlierAttempts()).singleElement().satisfies(e -> {
            assertThat(e.outcome()).isEqualTo(Attempts.Outcome.LOST);
            assertThat(e.worker()).isEqualTo("killed");
        });
        assertThat(availableAt(lost, 2)).isNull();
        assertThat(jobs.get(alive).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.get(alive).attempt()).isEqualTo(1);

        // The lost worker's result, should it still arrive, is of a superseded attempt.
        apply.apply(JobEvent.finished(lost, 1, "killed", JSON.readTree("{}"), List.of()));
        assertThat(jobs.get(lost).status()).isEqualTo(JobStatus.QUEUED);
    }

    /**
     * A job waiting in the queue for its second attempt has a checkpoint from its first in storage; cancelling it
     * there ends it like any other end, and the checkpoint goes (the first attempt recorded nothing).
     */
    @Test
    void aJobCancelledWhileQueuedForItsNextAttemptLeavesNoCheckpointBehind() {
        UUID id = submit(3);
        apply.apply(JobEvent.started(id, 1, "w1", "cpu"));
        String checkpoint = ArtifactKeys.of(id, 1, ArtifactKeys.CHECKPOINT);
        createBucket();
        s3.putObject(b -> b.bucket(storage.bucket()).key(checkpoint), RequestBody.fromString("state after epoch 3"));
        apply.apply(JobEvent.interrupted(id, 1, "w1", "storage unreachable"));
        assertThat(jobs.get(id).status()).isEqualTo(JobStatus.QUEUED);

        assertThat(jobs.cancel(id).status()).isEqualTo(JobStatus.CANCELLED);

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> s3.listObjectsV2(b -> b.bucket(storage.bucket())
                .prefix("jobs/" + id + "/")).contents().isEmpty());
    }

    /**
     * The cleanup is recorded as due in the transaction that ends the job and forgotten once it ran. One that a dead
     * process left due (its row, and a checkpoint still in storage) is run by the sweep once due longer than the
     * grace; one due only just now is left to the process that ended its job.
     */
    @Test
    void aCleanupThatTheEndingProcessDidNotRunIsRunByTheSweep() {
        UUID id = submit(3);
        apply.apply(JobEvent.started(id, 1, "w1", "cpu"));
        apply.apply(JobEvent.finished(id, 1, "w1", JSON.readTree("{}"), List.of()));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cleanupsDue(id) == 0);

        // As a process SIGKILLed between the commit and the cleanup leaves it:
        String checkpoint = ArtifactKeys.of(id, 1, ArtifactKeys.CHECKPOINT);
        createBucket();
        s3.putObject(b -> b.bucket(storage.bucket()).key(checkpoint), RequestBody.fromString("state after epoch 1"));
        db.sql("insert into object_cleanup (job_id, due_at) values (?, ?)").params(id, Timestamp.from(Instant.now()))
                .update();
        objects.sweep(Duration.ofMinutes(1));
        assertThat(cleanupsDue(id)).as("due only just now: not the sweep's yet").isEqualTo(1);
        assertThat(keys(id)).containsExactly(checkpoint);

        db.sql("update object_cleanup set due_at = ? where job_id = ?")
                .params(Timestamp.from(Instant.now().minus(Duration.ofMinutes(2))), id).update();
        assertThat(objects.sweep(Duration.ofMinutes(1))).isGreaterThanOrEqualTo(1);
        assertThat(cleanupsDue(id)).isZero();
        assertThat(keys(id)).isEmpty();
    }

    /**
     * A dispatch delivered twice (the outbox publishes at least once) runs an attempt again after its job ended and
     * was cleaned: the second run's checkpoint goes when its own end arrives, and the recorded artifact stays.
     */
    @Test
    void theCheckpointOfAnAttemptRunTwiceGoesWhenTheSecondRunEnds() {
        UUID id = submit(3);
        createBucket();
        String model = ArtifactKeys.of(id, 1, ArtifactKeys.MODEL);
        s3.putObject(b -> b.bucket(storage.bucket()).key(model), RequestBody.fromString("weights"));
        var artifact = new dev.valley.model.artifact.ArtifactInfo(ArtifactKeys.MODEL, "application/octet-stream", 7,
                "ab".repeat(32), model);
        apply.apply(JobEvent.started(id, 1, "w1", "cpu"));
        apply.apply(JobEvent.finished(id, 1, "w1", JSON.readTree("{}"), List.of(artifact)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> cleanupsDue(id) == 0);

        apply.apply(JobEvent.started(id, 1, "w2", "cpu")); // told to stop, too late: it ran to its end
        String checkpoint = ArtifactKeys.of(id, 1, ArtifactKeys.CHECKPOINT);
        s3.putObject(b -> b.bucket(storage.bucket()).key(checkpoint), RequestBody.fromString("state after epoch 1"));
        apply.apply(JobEvent.finished(id, 1, "w2", JSON.readTree("{}"), List.of(artifact)));

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> keys(id).equals(List.of(model)));
        assertThat(jobs.get(id).status()).isEqualTo(JobStatus.SUCCEEDED);
    }

    private int cleanupsDue(UUID id) {
        return db.sql("select count(*) from object_cleanup where job_id = ?").param(id).query(Integer.class).single();
    }

    private List<String> keys(UUID id) {
        return s3.listObjectsV2(b -> b.bucket(storage.bucket()).prefix("jobs/" + id + "/")).contents().stream()
                .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
    }

    private void createBucket() {
        try {
            s3.createBucket(b -> b.bucket(storage.bucket())); // the workers create it; there is none in this test
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            assertThat(e.statusCode()).as("bucket exists already").isEqualTo(409);
        }
    }

    private Instant availableAt(UUID id, int attempt) {
        return db.sql("select available_at from outbox where job_id = ? and attempt = ?").params(id, attempt)
                .query((rs, n) -> java.util.Optional.ofNullable(rs.getTimestamp(1))).single()
                .map(Timestamp::toInstant).orElse(null);
    }

    private int dispatches(UUID id) {
        return db.sql("select count(*) from outbox where job_id = ? and kind = 'DISPATCH'").param(id)
                .query(Integer.class).single();
    }

    private UUID submit(int maxAttempts) {
        return jobs.submit(new SubmitJobRequest("train", "attempts",
                JSON.readTree("{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\"}}"),
                new SubmitJobRequest.Resources(null, maxAttempts))).id();
    }
}
