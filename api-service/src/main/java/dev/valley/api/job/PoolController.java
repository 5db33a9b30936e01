package dev.valley.api.job;

import dev.valley.api.dispatch.DispatchProperties;
import dev.valley.api.web.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * What each worker pool owes: the figure an autoscaler scales a pool on. A running job holds no message on the queue
 * (a worker acknowledges its dispatch when it starts, and holds a lease instead), so a queue's length says nothing of
 * the workers that are busy; this counts from the database, which knows both.
 */
@RestController
class PoolController {
    /** A worker is counted when it renewed a lease this recently. */
    static final Duration SEEN = Duration.ofMinutes(1);

    private final JdbcClient db;
    private final DispatchProperties dispatch;

    PoolController(JdbcClient db, DispatchProperties dispatch) {
        this.db = db;
        this.dispatch = dispatch;
    }

    /** Jobs of the pool by status: waiting on inputs, queued for a worker, running. */
    record JobCounts(long waiting, long queued, long running) {
    }

    /** The open tiles of the pool's queued and running grids: {@code running} under a worker's lease, {@code queued}
     * the others. */
    record TileCounts(long queued, long running) {
    }

    /**
     * One pool. {@code workers}: the workers that renewed a lease on the pool's work in the last minute (busy ones:
     * an idle worker holds none). {@code owed}: the dispatches queued or running, the number of workers the pool
     * could keep busy: every queued or running job but a grid, and per queued or running grid its open tiles (at least
     * one, for its assembly).
     */
    record PoolView(String pool, JobCounts jobs, TileCounts tiles, long workers, long owed) {
    }

    /** Every pool this Valley dispatches to, the default first. */
    @GetMapping("/api/v1/pools")
    List<PoolView> pools() {
        Map<String, long[]> counts = counts();
        return dispatch.allPools().stream().map(p -> view(p, counts.get(p))).toList();
    }

    /** One pool; a 404 for a pool this Valley does not know. */
    @GetMapping("/api/v1/pools/{pool}")
    PoolView pool(@PathVariable String pool) {
        if (!dispatch.allPools().contains(pool)) {
            throw new NotFoundException("no pool '" + pool + "': the pools are " + String.join(", ",
                    dispatch.allPools()));
        }
        return view(pool, counts().get(pool));
    }

    private static PoolView view(String pool, long[] c) {
        long[] v = c == null ? new long[7] : c;
        return new PoolView(pool, new JobCounts(v[0], v[1], v[2]), new TileCounts(v[3], v[4]), v[5], v[6]);
    }

    /**
     * Per pool, in one statement: waiting, queued and running jobs; queued and running tiles; workers seen; owed.
     */
    private Map<String, long[]> counts() {
        Map<String, long[]> out = new HashMap<>();
        db.sql("""
                with active as (
                    select id, pool, type, status from job where status in ('WAITING', 'QUEUED', 'RUNNING')
                ), tiles as (
                    select t.job_id,
                           count(*) filter (where l.job_id is null) as queued,
                           count(*) filter (where l.job_id is not null) as running
                    from grid_tile t join active a on a.id = t.job_id and a.status <> 'WAITING'
                    left join lease l on l.job_id = t.job_id and l.unit = t.idx
                    where t.done_at is null
                    group by t.job_id
                ), seen as (
                    select a.pool, count(distinct l.worker) as workers
                    from lease l join job a on a.id = l.job_id
                    where l.heartbeat_at > ?
                    group by a.pool
                )
                select a.pool,
                       count(*) filter (where a.status = 'WAITING') as waiting,
                       count(*) filter (where a.status = 'QUEUED') as queued,
                       count(*) filter (where a.status = 'RUNNING') as running,
                       coalesce(sum(t.queued), 0) as tiles_queued,
                       coalesce(sum(t.running), 0) as tiles_running,
                       coalesce(max(s.workers), 0) as workers,
                       coalesce(sum(case when a.status = 'WAITING' then 0
                                         when a.type = 'grid' then greatest(coalesce(t.queued + t.running, 0), 1)
                                         else 1 end), 0) as owed
                from active a
                left join tiles t on t.job_id = a.id
                left join seen s on s.pool = a.pool
                group by a.pool""")
                .param(java.sql.Timestamp.from(Instant.now().minus(SEEN)))
                .query((rs, n) -> out.put(rs.getString("pool"), new long[] {rs.getLong("waiting"),
                        rs.getLong("queued"), rs.getLong("running"), rs.getLong("tiles_queued"),
                        rs.getLong("tiles_running"), rs.getLong("workers"), rs.getLong("owed")}))
                .list();
        return out;
    }
}
