package dev.valley.api.artifact;

import dev.valley.api.cluster.OneInstance;
import dev.valley.storage.StorageProperties;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Once a job has ended, removes what its attempts stored but the job does not keep: checkpoints, and the uploads of
 * attempts that were superseded (a worker that uploaded and then lost its lease). What is left under
 * {@code jobs/<id>/attempt-*} is exactly the job's recorded artifacts. Runs after the commit that ended the job and
 * off the event thread. The transaction that ends the job also records the cleanup as due ({@code object_cleanup});
 * the row goes once it has run, and {@link #sweep} (on one replica at a time) runs what an api process did not live
 * to run, or failed to: nothing is left behind for good, and nothing recorded is harmed.
 */
@Component
public class AttemptObjects implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AttemptObjects.class);

    private final S3Client s3;
    private final StorageProperties storage;
    private final ArtifactRepository artifacts;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "valley-attempt-cleanup");
        t.setDaemon(true);
        return t;
    });

    private final boolean keepCheckpoints;
    private final JdbcClient db;
    private final OneInstance oneInstance;

    AttemptObjects(S3Client s3, StorageProperties storage, ArtifactRepository artifacts, JdbcClient db,
            OneInstance oneInstance) {
        this.keepCheckpoints = storage.keepCheckpoints();
        this.s3 = s3;
        this.storage = storage;
        this.artifacts = artifacts;
        this.db = db;
        this.oneInstance = oneInstance;
    }

    /** Must be called inside the transaction that ended the job. */
    public void cleanAfterCommit(UUID jobId) {
        db.sql("insert into object_cleanup (job_id, due_at) values (?, ?) on conflict (job_id) do nothing")
                .params(jobId, Timestamp.from(Instant.now())).update();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                executor.execute(() -> cleanAndForget(jobId));
            }
        });
    }

    /**
     * Runs the cleanups due for longer than {@code grace} (those the process that ended their job did not run), on
     * one api-service instance at a time; returns how many it ran.
     */
    public int sweep(Duration grace) {
        int[] ran = {0};
        try {
            oneInstance.runAlone("object-cleanup", () -> {
                List<UUID> due = db.sql("select job_id from object_cleanup where due_at < ? order by due_at limit 1000")
                        .param(Timestamp.from(Instant.now().minus(grace))).query(UUID.class).list();
                for (UUID jobId : due) {
                    if (cleanAndForget(jobId)) {
                        ran[0]++;
                    }
                }
                if (!due.isEmpty()) {
                    log.info("object cleanup sweep: ran {} of {} cleanups left due", ran[0], due.size());
                }
            });
        } catch (RuntimeException e) {
            log.warn("object cleanup sweep failed: {}", e.toString());
        }
        return ran[0];
    }

    private boolean cleanAndForget(UUID jobId) {
        if (!clean(jobId)) {
            return false;
        }
        try {
            db.sql("delete from object_cleanup where job_id = ?").param(jobId).update();
            return true;
        } catch (RuntimeException e) {
            log.warn("job {}: cleaned, but its cleanup could not be marked done (the sweep runs it again): {}",
                    jobId, e.toString());
            return false;
        }
    }

    /** Returns whether the job's attempts now hold only what it keeps. */
    boolean clean(UUID jobId) {
        try {
            Set<String> kept = new HashSet<>();
            artifacts.findByJobIdOrderByName(jobId).forEach(a -> kept.add(a.getObjectKey()));
            String prefix = "jobs/" + jobId + "/attempt-";
            List<S3Object> stored = s3.listObjectsV2Paginator(b -> b.bucket(storage.bucket()).prefix(prefix))
                    .contents().stream().toList();
            int removed = 0;
            for (S3Object object : stored) {
                boolean checkpoint = object.key().endsWith("/checkpoint.safetensors");
                if (!kept.contains(object.key()) && !(checkpoint && keepCheckpoints)) {
                    s3.deleteObject(b -> b.bucket(storage.bucket()).key(object.key()));
                    removed++;
                }
            }
            if (removed > 0) {
                log.debug("job {}: removed {} objects its attempts left", jobId, removed);
            }
            return true;
        } catch (RuntimeException e) {
            log.warn("job {}: could not remove what its attempts left (the sweep tries again): {}", jobId,
                    e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
