package dev.valley.api.dispatch;

import dev.valley.api.cluster.OneInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * For a broker that keeps nothing across a restart (the in-memory one `./valley up` embeds, started with this
 * process): every dispatch of a job's current attempt that has not ended is published again, and the leases of the
 * previous run's workers (which ran in the previous process) are dropped. A production broker keeps its durable
 * queues, and this stays off ({@code valley.dispatch.republish-on-start}).
 */
@Component
class RepublishOnStart {
    private static final Logger log = LoggerFactory.getLogger(RepublishOnStart.class);

    private final JdbcClient db;
    private final DispatchProperties dispatch;
    private final OneInstance oneInstance;

    RepublishOnStart(JdbcClient db, DispatchProperties dispatch, OneInstance oneInstance) {
        this.oneInstance = oneInstance;
        this.db = db;
        this.dispatch = dispatch;
    }

    @EventListener(ApplicationReadyEvent.class)
    @Transactional
    public void republish() {
        if (!dispatch.republishOnStart()) {
            return;
        }
        // One instance at a time: a second that starts meanwhile waits for this one's transaction to end.
        oneInstance.holdForTransaction("republish-on-start");
        db.sql("delete from lease").update();
        int rows = db.sql("""
                update outbox o set sent_at = null
                from job j
                where o.job_id = j.id and o.attempt = j.attempt and j.status in ('QUEUED', 'RUNNING')
                  and o.kind = 'DISPATCH' and o.sent_at is not null
                  and not exists (select 1 from grid_tile t where t.job_id = o.job_id and t.done_at is not null
                                  and t.idx = (o.payload -> 'tile' ->> 'index')::int)""").update();
        if (rows > 0) {
            log.info("the broker kept nothing: {} dispatches of unfinished jobs are published again", rows);
        }
    }
}
