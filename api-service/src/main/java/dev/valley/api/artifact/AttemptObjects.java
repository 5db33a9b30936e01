package dev.valley.api.artifact;

import dev.valley.storage.StorageProperties;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Once a job has ended, removes what its attempts stored but the job does not keep: checkpoints, and the uploads of
 * attempts that were superseded (a worker that uploaded and then lost its lease). What is left under
 * {@code jobs/<id>/attempt-*} is exactly the job's recorded artifacts. Runs after the commit that ended the job and
 * off the event thread; a failure leaves orphans, which it logs, and harms nothing recorded.
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

    AttemptObjects(S3Client s3, StorageProperties storage, ArtifactRepository artifacts) {
        this.keepCheckpoints = storage.keepCheckpoints();
        this.s3 = s3;
        this.storage = storage;
        this.artifacts = artifacts;
    }

    /** Must be called inside the transaction that ended the job. */
    public void cleanAfterCommit(UUID jobId) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                executor.execute(() -> clean(jobId));
            }
        });
    }

    void clean(UUID jobId) {
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
        } catch (RuntimeException e) {
            log.warn("job {}: could not remove what its attempts left: {}", jobId, e.toString());
        }
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
