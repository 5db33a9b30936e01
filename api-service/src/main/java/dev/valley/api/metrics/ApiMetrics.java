package dev.valley.api.metrics;

import dev.valley.api.dispatch.OutboxRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The api-service's metrics, served at {@code /actuator/prometheus} (the README lists each with its labels). Counters
 * and timers move where the lifecycle acts; the gauges over the database (jobs by status, type and pool; the outbox)
 * are refreshed every {@code valley.metrics.refresh} (15 s), one query each, so a scrape costs the database nothing.
 * The outbox's unsent rows and their age leave out what a {@code maxRunning} quota holds back (counted apart, as
 * {@code valley.outbox.held}): a caller waiting on its own quota is not a broker owing messages.
 */
@Component
public class ApiMetrics {
    private static final Logger log = LoggerFactory.getLogger(ApiMetrics.class);

    private final MeterRegistry registry;
    private final JdbcClient db;
    private final MultiGauge jobs;
    private final AtomicLong outboxUnsent = new AtomicLong();
    private final AtomicLong outboxOldestMillis = new AtomicLong();
    private final AtomicLong outboxHeld = new AtomicLong();
    private final Counter leasesExpired;
    private final Counter preemptions;

    ApiMetrics(MeterRegistry registry, JdbcClient db) {
        this.registry = registry;
        this.db = db;
        this.jobs = MultiGauge.builder("valley.jobs").description("jobs by status, type and pool").register(registry);
        Gauge.builder("valley.outbox.unsent", outboxUnsent, AtomicLong::get)
                .description("outbox rows not yet confirmed by the broker, those a quota holds back apart")
                .register(registry);
        Gauge.builder("valley.outbox.oldest.age", outboxOldestMillis, a -> a.get() / 1000.0).baseUnit("seconds")
                .description("age of the oldest unsent outbox row (0 when none)").register(registry);
        Gauge.builder("valley.outbox.held", outboxHeld, AtomicLong::get)
                .description("unsent dispatches a maxRunning quota holds back").register(registry);
        leasesExpired = Counter.builder("valley.leases.expired").description("leases that lapsed without a heartbeat")
                .register(registry);
        preemptions = Counter.builder("valley.preemptions")
                .description("running jobs asked to hand back for a waiting job of higher priority").register(registry);
    }

    /** A submission stored ({@code outcome} accepted) or answered with an earlier job ({@code reused}). */
    public void submitted(String type, boolean reused) {
        Counter.builder("valley.submissions").description("job submissions answered with a job")
                .tags("type", type, "outcome", reused ? "reused" : "accepted").register(registry).increment();
    }

    /** A submission refused, by {@link SubmissionOutcomes#reason}: invalid, unauthenticated, forbidden, conflict,
     * too-large, unsupported-media-type, quota, unavailable (or status-N for another status). */
    public void refused(String reason) {
        Counter.builder("valley.submissions.refused").description("job submissions refused, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    /**
     * Attempt {@code attempt} of a job started at {@code at}: the time since its dispatch was due (the outbox row's
     * availability, or its writing), recorded once the caller's transaction commits.
     */
    public void started(UUID job, String type, int attempt, Instant at) {
        Timestamp due = db.sql("select max(coalesce(available_at, created_at)) from outbox where job_id = ? and attempt"
                + " = ?").params(job, attempt).query(Timestamp.class).optional().orElse(null);
        if (due != null) {
            Duration latency = Duration.between(due.toInstant(), at);
            afterCommit(() -> Timer.builder("valley.dispatch.latency")
                    .description("from a job's dispatch being due to its start").tag("type", type)
                    .publishPercentileHistogram().register(registry).record(latency.isNegative() ? Duration.ZERO
                            : latency));
        }
    }

    /** The job just ended (in the caller's transaction): its time from start to end, by type and final status. */
    public void ended(UUID job) {
        db.sql("select type, status, started_at, finished_at from job where id = ?").param(job).query(rs -> {
            Timestamp started = rs.getTimestamp("started_at");
            Timestamp finished = rs.getTimestamp("finished_at");
            if (started != null && finished != null) {
                String type = rs.getString("type");
                String status = rs.getString("status");
                Duration duration = Duration.between(started.toInstant(), finished.toInstant());
                afterCommit(() -> Timer.builder("valley.job.duration").description("from a job's start to its end")
                        .tags("type", type, "status", status).publishPercentileHistogram().register(registry)
                        .record(duration));
            }
        });
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(
                new TransactionSynchronization() {
                    @Override
                    public void afterCommit() {
                        action.run();
                    }
                });
    }

    /** A running job asked to hand back for a waiting one of higher priority, counted once the caller commits. */
    public void preempted() {
        afterCommit(preemptions::increment);
    }

    public void leaseExpired() {
        leasesExpired.increment();
    }

    /** An attempt ended without ending its job, and the next was queued. */
    public void retried(String outcome) {
        Counter.builder("valley.attempts.retried").description("attempts that ended and were tried again")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** A gauge of live event streams, read from {@code count} at each scrape. */
    public void streams(Supplier<Number> count) {
        Gauge.builder("valley.streams.subscribers", count).description("open event streams").register(registry);
    }

    /** Reads the jobs' counts and the outbox (the first time right after start); a database away skips a turn. */
    @Scheduled(fixedDelayString = "${valley.metrics.refresh:15s}")
    public void refresh() {
        try {
            read();
        } catch (RuntimeException e) {
            log.debug("metrics not refreshed: {}", e.toString());
        }
    }

    private void read() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        db.sql("select status, type, pool, count(*) as n from job group by status, type, pool")
                .query((rs, i) -> rows.add(MultiGauge.Row.of(Tags.of("status", rs.getString("status"), "type",
                        rs.getString("type"), "pool", rs.getString("pool")), rs.getLong("n"))))
                .list();
        jobs.register(rows, true);
        db.sql(OutboxRepository.HELD_JOBS + """
                select count(*) filter (where not h) as n, min(created_at) filter (where not h) as oldest,
                       count(*) filter (where h) as held
                from (select o.created_at, o.kind = 'DISPATCH' and o.job_id in (select id from held) as h
                      from outbox o where o.sent_at is null) u""")
                .param("now", Timestamp.from(Instant.now()))
                .query(rs -> {
                    outboxUnsent.set(rs.getLong("n"));
                    outboxHeld.set(rs.getLong("held"));
                    Timestamp oldest = rs.getTimestamp("oldest");
                    outboxOldestMillis.set(oldest == null ? 0
                            : Math.max(0, Duration.between(oldest.toInstant(), Instant.now()).toMillis()));
                });
    }
}
