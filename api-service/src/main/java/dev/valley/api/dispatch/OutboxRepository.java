package dev.valley.api.dispatch;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface OutboxRepository extends JpaRepository<OutboxMessage, Long> {
    /**
     * The jobs a {@code maxRunning} quota holds back at {@code :now} ({@code held}), as the leading {@code with} of a
     * query: quota'd jobs with a dispatch due and no free place. {@link #claimDue} leaves their rows unsent, and the
     * metrics count them apart from the rows the broker owes.
     */
    String HELD_JOBS = """
            with quotad as (
                select r.id, r.attempt, r.submitted_by, r.max_running, r.created_at,
                       r.status = 'RUNNING' or exists (select 1 from outbox s where s.job_id = r.id
                           and s.attempt = r.attempt and s.kind = 'DISPATCH' and s.sent_at is not null) as placed
                from job r
                where r.max_running is not null and r.status in ('QUEUED', 'RUNNING')
            ), waiting as (
                select q.id, q.submitted_by, q.max_running, q.created_at from quotad q
                where not q.placed
                  and exists (select 1 from outbox d where d.job_id = q.id and d.attempt = q.attempt
                              and d.sent_at is null and (d.available_at is null or d.available_at <= :now))
            ), placed as (
                select submitted_by, count(*) as n from quotad where placed group by submitted_by
            ), held as (
                select w.id from (select waiting.*,
                                         row_number() over (partition by submitted_by order by created_at, id) as n
                                  from waiting) w
                left join placed p on p.submitted_by = w.submitted_by
                where w.n > w.max_running - coalesce(p.n, 0)
            )
            """;

    /**
     * Unsent rows whose time has come, oldest first, at most {@code limit}, locked for this transaction, and without
     * the rows another transaction holds ({@code FOR UPDATE SKIP LOCKED}): two api-service instances publishing at once
     * each take different rows, so none is published twice.
     *
     * <p>A caller's {@code maxRunning} (copied onto its jobs, {@code job.max_running}) is kept here. A job holds a
     * place while it runs, or once a dispatch of its current attempt has been sent. Of a caller's queued jobs with a
     * dispatch due and no place, the oldest are admitted into its free places and the rest are held back: their rows
     * stay unsent. A grid's tiles go with their job, so a grid counts once. Two replicas publishing at the same
     * moment may each admit a job into one last place; the next claims see both. Only quota'd jobs are looked at
     * (partial indexes, V15): with 20,000 rows due, 10,000 of them held, the claim takes 1 to 4 ms.
     */
    @Query(nativeQuery = true, value = HELD_JOBS + """
            select * from outbox
            where sent_at is null and (available_at is null or available_at <= :now)
              and (kind = 'CONTROL' or job_id not in (select id from held))
            order by id limit :limit
            for update skip locked""")
    List<OutboxMessage> claimDue(@Param("now") Instant now, @Param("limit") int limit);

    long countBySentAtIsNull();

    @Transactional
    @Modifying
    @Query("update OutboxMessage o set o.sentAt = :at where o.id = :id and o.sentAt is null")
    int markSent(@Param("id") long id, @Param("at") Instant at);
}
