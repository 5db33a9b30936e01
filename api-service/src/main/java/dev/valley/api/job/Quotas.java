package dev.valley.api.job;

import dev.valley.api.auth.Caller;
import dev.valley.api.cluster.OneInstance;
import dev.valley.api.web.QuotaExceededException;
import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A token's {@code maxQueued}, checked at submission: the caller's jobs not yet running (queued, or waiting for their
 * inputs) are counted under a transaction-scoped advisory lock on the caller's name, so that two submissions at once,
 * on one replica or two, cannot both take the last place. Its {@code maxRunning} is kept by the outbox, which holds
 * back the caller's dispatches while that many of its jobs hold a place ({@code OutboxRepository#claimDue}).
 */
@Component
class Quotas {
    /** How long a refused caller is told to wait: about a short job's length. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(30);

    private final JdbcClient db;
    private final OneInstance oneInstance;

    Quotas(JdbcClient db, OneInstance oneInstance) {
        this.db = db;
        this.oneInstance = oneInstance;
    }

    /** Must run in the transaction that stores the job. */
    void admit(Caller caller) {
        if (caller.maxQueued() == null) {
            return;
        }
        oneInstance.holdForTransaction("quota:" + caller.name());
        long queued = db.sql("select count(*) from job where submitted_by = ? and status in ('QUEUED', 'WAITING')")
                .param(caller.name()).query(Long.class).single();
        if (queued >= caller.maxQueued()) {
            throw new QuotaExceededException(caller.name(), "maxQueued", caller.maxQueued(), queued,
                    "jobs queued or waiting", RETRY_AFTER);
        }
    }
}
