package dev.valley.api.job;

import java.util.Collection;
import java.util.List;
import java.util.UUID;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

interface JobInputRepository extends JpaRepository<JobInput, JobInput.Key> {
    List<JobInput> findByJobIdOrderByField(UUID jobId);

    List<JobInput> findByJobIdInOrderByField(Collection<UUID> jobIds);

    /** The inputs that read a job's artifacts: the jobs built on it. */
    List<JobInput> findBySourceJobIdOrderByJobId(UUID sourceJobId);

    @Query("""
            select distinct i.jobId from JobInput i, Job j
            where i.sourceJobId = :source and j.id = i.jobId and j.status = dev.valley.model.job.JobStatus.WAITING""")
    List<UUID> findWaitingDependents(@Param("source") UUID source);
}
