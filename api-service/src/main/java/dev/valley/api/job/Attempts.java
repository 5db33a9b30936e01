package dev.valley.api.job;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The attempts that ended without ending their job ({@code job_attempt}), for the job's timeline: each with its
 * worker, outcome and reason. {@link JobLifecycle#attemptEnded} decides what follows.
 */
@Component
public class Attempts {
    /** Why an attempt ended without ending its job. */
    public enum Outcome {
        /** Its lease expired: the worker died or lost the broker. Counts towards the job's most attempts. */
        LOST("lost its worker"),
        /** The worker reported a failure of the platform (storage, broker, device memory). Counts, with backoff. */
        INTERRUPTED("was interrupted"),
        /** A stopping worker handed it back. Does not count: preemption is not the job's fault. */
        RELEASED("was handed back");

        private final String description;

        Outcome(String description) {
            this.description = description;
        }

        String describe() {
            return description;
        }
    }

    public record Ended(int attempt, @org.jspecify.annotations.Nullable String worker, Outcome outcome, String reason, Instant endedAt) {
    }

    private final JdbcClient db;

    Attempts(JdbcClient db) {
        this.db = db;
    }

    @Transactional(propagation = Propagation.MANDATORY)
    void record(UUID id, Ended ended) {
        db.sql("""
                insert into job_attempt (job_id, attempt, worker, outcome, reason, ended_at) values (?, ?, ?, ?, ?, ?)
                on conflict do nothing""")
                .params(id, ended.attempt(), ended.worker(), ended.outcome().name(), ended.reason(),
                        Timestamp.from(ended.endedAt())).update();
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
