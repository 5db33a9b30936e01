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
     * Unsent rows whose time has come, oldest first, at most {@code limit}, locked for this transaction, and without
     * the rows another transaction holds ({@code FOR UPDATE SKIP LOCKED}): two api-service instances publishing at once
     * each take different rows, so none is published twice.
     *
     * <p>A caller's {@code maxRunning} (copied onto its jobs, {@code job.max_running}) is kept here: a job holds a
     * place while it runs, or once a dispatch of its current attempt has been sent; the dispatches of a caller's
     * other jobs are held back, oldest first admitted, while its places are taken. A grid's tiles go out with the
     * job that holds the place: a grid counts once. (Two replicas publishing at the same moment may each admit one
     * job into the same last place; the next claims see both.)
     */
    @Query(nativeQuery = true, value = """
            with due as (
                select o.id, o.job_id, o.kind from outbox o
                where o.sent_at is null and (o.available_at is null or o.available_at <= :now)
            ), placed as (
                select r.id, r.submitted_by from job r
                where r.max_running is not null and (r.status = 'RUNNING' or (r.status = 'QUEUED' and exists (
                    select 1 from outbox s where s.job_id = r.id and s.attempt = r.attempt and s.kind = 'DISPATCH'
                    and s.sent_at is not null)))
            ), held as (
                select d.job_id, j.submitted_by, j.max_running, min(d.id) as first_row
                from due d join job j on j.id = d.job_id
                where d.kind = 'DISPATCH' and j.max_running is not null
                  and d.job_id not in (select id from placed)
                group by d.job_id, j.submitted_by, j.max_running
            ), admitted as (
                select h.job_id from (select held.*, row_number() over (partition by submitted_by order by first_row)
                                      as n from held) h
                where h.n <= h.max_running - (select count(*) from placed p where p.submitted_by = h.submitted_by)
            )
            select * from outbox where id in (
                select d.id from due d join job j on j.id = d.job_id
                where d.kind = 'CONTROL' or j.max_running is null or d.job_id in (select id from placed)
                   or d.job_id in (select job_id from admitted))
            order by id limit :limit
            for update skip locked""")
    List<OutboxMessage> claimDue(@Param("now") Instant now, @Param("limit") int limit);

    long countBySentAtIsNull();

    @Transactional
    @Modifying
    @Query("update OutboxMessage o set o.sentAt = :at where o.id = :id and o.sentAt is null")
    int markSent(@Param("id") long id, @Param("at") Instant at);
}
