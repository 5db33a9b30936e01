package dev.valley.api.job;

import dev.valley.api.dispatch.DispatchProperties;
import dev.valley.model.job.JobStatus;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Ends an attempt without ending its job: the job goes back to {@code QUEUED} as attempt n+1 (which resumes from
 * the checkpoint or the tiles the earlier ones left), or, once it has lost {@code maxAttempts} attempts, fails with
 * the reason. Every such attempt is kept in {@code job_attempt} for the job's timeline.
 */
@Component
public class Attempts {
    private static final Logger log = LoggerFactory.getLogger(Attempts.class);

    /** Why an attempt ended without ending its job. */
    public enum Outcome {
        /** Its lease expired: the worker died or lost the broker. Counts towards the job's most attempts. */
        LOST,
        /** The worker reported a failure of the platform (storage, broker, device memory). Counts, with backoff. */
        INTERRUPTED,
        /** A stopping worker handed it back. Does not count: preemption is not the job's fault. */
        RELEASED
    }

    public record Ended(int attempt, String worker, Outcome outcome, String reason, Instant endedAt) {
    }

    private final JobRepository jobs;
    private final Dispatches dispatches;
    private final JobEnds ends;
    private final Leases leases;
    private final JdbcClient db;
    private final DispatchProperties dispatch;

    Attempts(JobRepository jobs, Dispatches dispatches, JobEnds ends, Leases leases, JdbcClient db,
            DispatchProperties dispatch) {
        this.jobs = jobs;
        this.dispatches = dispatches;
        this.ends = ends;
        this.leases = leases;
        this.db = db;
        this.dispatch = dispatch;
    }

    /** False when {@code attempt} is not the job's current, running or queued attempt (nothing changes then). */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean end(UUID id, int attempt, String worker, Outcome outcome, String reason, Instant at) {
        Job job = jobs.findForUpdate(id).orElse(null);
        if (job == null || job.getAttempt() != attempt
                || (job.getStatus() != JobStatus.QUEUED && job.getStatus() != JobStatus.RUNNING)) {
            return false;
        }
        db.sql("""
                insert into job_attempt (job_id, attempt, worker, outcome, reason, ended_at) values (?, ?, ?, ?, ?, ?)
                on conflict do nothing""")
                .params(id, attempt, worker, outcome.name(), reason, Timestamp.from(at)).update();
        leases.releaseAll(id);
        int failures = job.getFailures() + (outcome == Outcome.RELEASED ? 0 : 1);
        if (job.isCancelRequested()) {
            jobs.markEnded(id, attempt, JobStatus.CANCELLED, null, at);
            ends.ended(id);
            return true;
        }
        if (failures >= job.getMaxAttempts()) {
            String why = "attempt " + attempt + " " + describe(outcome) + ": " + reason + " (" + failures + " of "
                    + job.getMaxAttempts() + " attempts lost; no more tries)";
            jobs.markEnded(id, attempt, JobStatus.FAILED, why, at);
            log.warn("job {} failed: {}", id, why);
            ends.ended(id);
            return true;
        }
        jobs.nextAttempt(id, attempt, failures);
        Instant notBefore = outcome == Outcome.INTERRUPTED ? at.plus(backoff(failures)) : null;
        dispatches.redispatch(jobs.findById(id).orElseThrow(), notBefore);
        log.info("job {} attempt {} {} ({}); attempt {} queued{}", id, attempt, describe(outcome), reason,
                attempt + 1, notBefore == null ? "" : " for " + notBefore);
        return true;
    }

    /** The first retry waits {@code retryBackoff}, each later one twice as long, up to {@code retryBackoffMax}. */
    Duration backoff(int failures) {
        Duration wait = dispatch.retryBackoff().multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 20));
        return wait.compareTo(dispatch.retryBackoffMax()) > 0 ? dispatch.retryBackoffMax() : wait;
    }

    private static String describe(Outcome outcome) {
        return switch (outcome) {
            case LOST -> "lost its worker";
            case INTERRUPTED -> "was interrupted";
            case RELEASED -> "was handed back";
        };
    }

    @Transactional(readOnly = true)
    public List<Ended> of(UUID id) {
        return db.sql("""
                select attempt, worker, outcome, reason, ended_at from job_attempt where job_id = ? order by attempt""")
                .param(id)
                .query((rs, n) -> new Ended(rs.getInt(1), rs.getString(2), Outcome.valueOf(rs.getString(3)),
                        rs.getString(4), rs.getTimestamp(5).toInstant()))
                .list();
    }
}
