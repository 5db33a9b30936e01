package dev.valley.api.job;

import dev.valley.api.cluster.OneInstance;
import dev.valley.api.dispatch.DispatchProperties;
import dev.valley.api.metrics.ApiMetrics;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives a job whose worker stopped renewing its lease (killed, preempted without a hand-back, cut off from the
 * broker) a new attempt, each job in a transaction of its own. The job's row lock orders this against the events
 * of the same job; an event of the lost attempt that arrives later is of a superseded attempt and changes nothing.
 */
@Component
public class LeaseMonitor {
    private static final Logger log = LoggerFactory.getLogger(LeaseMonitor.class);

    private final Leases leases;
    private final JobLifecycle lifecycle;
    private final DispatchProperties dispatch;
    private final TransactionTemplate transactions;
    private final ApiMetrics metrics;

    private final OneInstance oneInstance;

    LeaseMonitor(Leases leases, JobLifecycle lifecycle, DispatchProperties dispatch,
            TransactionTemplate transactions, ApiMetrics metrics,
            OneInstance oneInstance) {
        this.metrics = metrics;
        this.oneInstance = oneInstance;
        this.leases = leases;
        this.lifecycle = lifecycle;
        this.dispatch = dispatch;
        this.transactions = transactions;
    }

    /** On one api-service instance at a time ({@link OneInstance}): the others skip. */
    public void expire() {
        try {
            oneInstance.runAlone("lease-monitor", this::expireNow);
        } catch (RuntimeException e) {
            log.warn("lease check failed: {}", e.toString());
        }
    }

    private void expireNow() {
        Instant now = Instant.now();
        try {
            for (Leases.Expired lost : leases.expired(now.minus(dispatch.lease()))) {
                metrics.leaseExpired();
                transactions.executeWithoutResult(status -> lifecycle.attemptEnded(lost.jobId(), lost.attempt(), lost.worker(),
                        Attempts.Outcome.LOST, "no heartbeat from worker " + lost.worker() + " since "
                                + lost.heartbeatAt() + " (lease " + dispatch.lease() + ")", now));
            }
        } catch (RuntimeException e) {
            log.warn("lease check failed: {}", e.toString());
        }
    }
}
