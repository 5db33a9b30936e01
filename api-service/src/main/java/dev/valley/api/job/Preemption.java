package dev.valley.api.job;

import dev.valley.api.cluster.OneInstance;
import dev.valley.api.dispatch.Outbox;
import dev.valley.api.dispatch.PreemptionProperties;
import dev.valley.api.metrics.ApiMetrics;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hands a pool's least important running job back when a much more important one waits ({@link PreemptionProperties}).
 * A waiting job is one of priority {@code priority} or more, queued, whose dispatch of its current attempt was sent
 * at least {@code after} ago: no worker of its pool was free to take it. For each such job beyond those already
 * served by a release not yet carried out, the pool's running resumable job of the lowest priority below the waiting
 * one's (the most recently started first, which loses the least work) gets a RELEASE through the outbox. Its worker
 * stops at the next step, reports RELEASED, and the next attempt is queued at once at the job's own priority, so the
 * freed worker takes the waiting job first; the released job resumes from its checkpoint later. One api-service
 * instance at a time decides ({@link OneInstance}).
 */
@Component
public class Preemption {
    private static final Logger log = LoggerFactory.getLogger(Preemption.class);
    /** Whether running job {@code r}'s current attempt was already asked to hand back. */
    private static final String RELEASE_ASKED = """
            exists (select 1 from outbox c where c.job_id = r.id and c.attempt = r.attempt
                    and c.kind = 'CONTROL' and c.payload ->> 'command' = 'RELEASE')""";

    private final PreemptionProperties properties;
    private final JdbcClient db;
    private final Outbox outbox;
    private final TransactionTemplate transactions;
    private final OneInstance oneInstance;
    private final ApiMetrics metrics;

    Preemption(PreemptionProperties properties, JdbcClient db, Outbox outbox, TransactionTemplate transactions,
            OneInstance oneInstance, ApiMetrics metrics) {
        this.metrics = metrics;
        this.properties = properties;
        this.db = db;
        this.outbox = outbox;
        this.transactions = transactions;
        this.oneInstance = oneInstance;
    }

    record Waiting(UUID id, String pool, int priority) {
    }

    record Victim(UUID id, int attempt, int priority) {
    }

    /** One round (scheduled by {@code Schedules} only where preemption is on). */
    public void check() {
        try {
            oneInstance.runAlone("preemption", () -> transactions.executeWithoutResult(status -> preempt()));
        } catch (RuntimeException e) {
            log.warn("preemption check failed: {}", e.toString());
        }
    }

    private void preempt() {
        Timestamp sentBefore = Timestamp.from(Instant.now().minus(properties.after()));
        List<Waiting> waiting = db.sql("""
                select j.id, j.pool, j.priority from job j
                where j.status = 'QUEUED' and j.priority >= ?
                  and exists (select 1 from outbox o where o.job_id = j.id and o.attempt = j.attempt
                              and o.kind = 'DISPATCH' and o.sent_at is not null and o.sent_at <= ?)
                order by j.priority desc, j.created_at""")
                .params(properties.priority(), sentBefore)
                .query((rs, i) -> new Waiting(rs.getObject("id", UUID.class), rs.getString("pool"),
                        rs.getInt("priority")))
                .list();
        for (String pool : waiting.stream().map(Waiting::pool).distinct().toList()) {
            List<Waiting> here = waiting.stream().filter(w -> w.pool().equals(pool)).toList();
            int pending = releasesPending(pool);
            for (Waiting job : here.subList(Math.min(pending, here.size()), here.size())) {
                victim(pool, job.priority()).ifPresent(v -> {
                    outbox.release(v.id(), v.attempt());
                    metrics.preempted();
                    log.info("job {} attempt {} (priority {}) asked to hand back for job {} (priority {}) waiting on"
                            + " pool {}", v.id(), v.attempt(), v.priority(), job.id(), job.priority(), pool);
                });
            }
        }
    }

    /** Running jobs of the pool already asked to hand back their current attempt. */
    private int releasesPending(String pool) {
        return db.sql("select count(*) from job r where r.pool = ? and r.status = 'RUNNING' and " + RELEASE_ASKED)
                .param(pool).query(Integer.class).single();
    }

    private Optional<Victim> victim(String pool, int below) {
        return db.sql("""
                select r.id, r.attempt, r.priority from job r
                where r.pool = ? and r.status = 'RUNNING' and r.priority < ?
                  and r.type in ('train', 'curve', 'swa', 'fge') and not r.cancel_requested
                  and not %s
                order by r.priority, r.started_at desc
                limit 1 for update skip locked""".formatted(RELEASE_ASKED))
                .params(pool, below)
                .query((rs, i) -> new Victim(rs.getObject("id", UUID.class), rs.getInt("attempt"),
                        rs.getInt("priority")))
                .optional();
    }
}
