package dev.valley.api.job;

import dev.valley.model.job.JobStatus;
import dev.valley.model.job.JobType;
import jakarta.persistence.LockModeType;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

/**
 * Every state change is conditional on the attempt and the state it leaves: the database, not the message,
 * decides who owns a job, and an event of a superseded attempt changes nothing.
 */
public interface JobRepository extends JpaRepository<Job, UUID> {

    /** Newest first; a null filter matches every job, {@code tags} (a JSON object) every job whose tags hold it. */
    @Query(value = """
            select * from job j
            where (cast(:status as text) is null or j.status = cast(:status as text))
              and (cast(:type as text) is null or j.type = cast(:type as text))
              and (cast(:experiment as text) is null or j.experiment = cast(:experiment as text))
              and j.tags @> cast(:tags as jsonb)
            order by j.created_at desc, j.id""", countQuery = """
            select count(*) from job j
            where (cast(:status as text) is null or j.status = cast(:status as text))
              and (cast(:type as text) is null or j.type = cast(:type as text))
              and (cast(:experiment as text) is null or j.experiment = cast(:experiment as text))
              and j.tags @> cast(:tags as jsonb)""", nativeQuery = true)
    Page<Job> search(@Param("status") String status, @Param("type") String type,
            @Param("experiment") String experiment, @Param("tags") String tags, Pageable pageable);

    /** Per experiment and status: how many jobs, and when the latest was submitted. */
    @Query(value = """
            select experiment, status, count(*) as jobs, max(created_at) as latest from job
            where experiment is not null group by experiment, status""", nativeQuery = true)
    List<Object[]> experimentCounts();

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.status = dev.valley.model.job.JobStatus.RUNNING, j.startedAt = :at, j.heartbeatAt = :at,
                j.worker = :worker
            where j.id = :id and j.attempt = :attempt and j.status = dev.valley.model.job.JobStatus.QUEUED""")
    int markRunning(@Param("id") UUID id, @Param("attempt") int attempt, @Param("worker") String worker,
            @Param("at") Instant at);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.progress = coalesce(:progress, j.progress), j.heartbeatAt = :at
            where j.id = :id and j.attempt = :attempt and j.status = dev.valley.model.job.JobStatus.RUNNING""")
    int recordProgress(@Param("id") UUID id, @Param("attempt") int attempt, @Param("progress") Double progress,
            @Param("at") Instant at);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query(value = """
            update job set status = 'SUCCEEDED', progress = 1, result = cast(:result as jsonb), finished_at = :at,
                heartbeat_at = :at
            where id = :id and attempt = :attempt and status in ('QUEUED', 'RUNNING')""", nativeQuery = true)
    int markSucceeded(@Param("id") UUID id, @Param("attempt") int attempt, @Param("result") String result,
            @Param("at") Instant at);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.status = :status, j.error = :error, j.finishedAt = :at
            where j.id = :id and j.attempt = :attempt
              and j.status in (dev.valley.model.job.JobStatus.QUEUED, dev.valley.model.job.JobStatus.RUNNING)""")
    int markEnded(@Param("id") UUID id, @Param("attempt") int attempt, @Param("status") JobStatus status,
            @Param("error") String error, @Param("at") Instant at);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.status = dev.valley.model.job.JobStatus.CANCELLED, j.cancelRequested = true,
                j.finishedAt = :at
            where j.id = :id
              and j.status in (dev.valley.model.job.JobStatus.QUEUED, dev.valley.model.job.JobStatus.WAITING)""")
    int cancelQueued(@Param("id") UUID id, @Param("at") Instant at);

    /** Reads the jobs with a shared row lock ({@code for share}): a job that names them as inputs is committed
     * before any of them can change state, so the change finds it waiting. */
    @Lock(LockModeType.PESSIMISTIC_READ)
    @Query("select j from Job j where j.id in :ids")
    List<Job> findAllForShare(@Param("ids") Collection<UUID> ids);

    /** The job with an exclusive row lock: two inputs that end at once release their dependent one after the
     * other, and the second sees the first. */
    @Lock(LockModeType.PESSIMISTIC_WRITE)
    @Query("select j from Job j where j.id = :id")
    Optional<Job> findForUpdate(@Param("id") UUID id);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.status = dev.valley.model.job.JobStatus.QUEUED
            where j.id = :id and j.status = dev.valley.model.job.JobStatus.WAITING""")
    int release(@Param("id") UUID id);

    /** Records what a job computes ({@link ResultKey}), once its inputs are known. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("update Job j set j.resultKey = :key where j.id = :id")
    int keyResult(@Param("id") UUID id, @Param("key") String key);

    /** The latest SUCCEEDED job of a result key. */
    Optional<Job> findFirstByResultKeyAndStatusOrderByFinishedAtDesc(String resultKey, JobStatus status);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.status = dev.valley.model.job.JobStatus.FAILED, j.error = :error, j.finishedAt = :at
            where j.id = :id and j.status = dev.valley.model.job.JobStatus.WAITING""")
    int failWaiting(@Param("id") UUID id, @Param("error") String error, @Param("at") Instant at);

    /** Ends attempt {@code attempt} without ending the job: the next attempt is queued. */
    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.attempt = j.attempt + 1, j.status = dev.valley.model.job.JobStatus.QUEUED,
                j.failures = :failures, j.worker = null, j.heartbeatAt = null
            where j.id = :id and j.attempt = :attempt
              and j.status in (dev.valley.model.job.JobStatus.QUEUED, dev.valley.model.job.JobStatus.RUNNING)""")
    int nextAttempt(@Param("id") UUID id, @Param("attempt") int attempt, @Param("failures") int failures);

    @Modifying(flushAutomatically = true, clearAutomatically = true)
    @Query("""
            update Job j set j.cancelRequested = true
            where j.id = :id and j.status = dev.valley.model.job.JobStatus.RUNNING""")
    int requestCancel(@Param("id") UUID id);
}
