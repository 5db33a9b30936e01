package dev.valley.api.job;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The {@code lease} rows: which units of work workers have taken and when each last said it was alive. Unit
 * {@link #JOB} is a whole job (or a grid's assembly); a grid tile's unit is its index.
 */
@Component
public class Leases {
    public static final int JOB = -1;

    private final JdbcClient db;

    Leases(JdbcClient db) {
        this.db = db;
    }

    public static int unit(Integer tile) {
        return tile == null ? JOB : tile;
    }

    /** A worker took the unit for {@code attempt}; a redelivered unit's new worker takes the lease over. */
    public void take(UUID jobId, int unit, int attempt, String worker, Instant at) {
        db.sql("""
                insert into lease (job_id, unit, attempt, worker, heartbeat_at) values (?, ?, ?, ?, ?)
                on conflict (job_id, unit) do update
                set attempt = excluded.attempt, worker = excluded.worker, heartbeat_at = excluded.heartbeat_at""")
                .params(jobId, unit, attempt, worker == null ? "" : worker, Timestamp.from(at)).update();
    }

    public void renew(UUID jobId, int unit, int attempt, Instant at) {
        db.sql("update lease set heartbeat_at = ? where job_id = ? and unit = ? and attempt = ? and heartbeat_at < ?")
                .params(Timestamp.from(at), jobId, unit, attempt, Timestamp.from(at)).update();
    }

    public void release(UUID jobId, int unit) {
        db.sql("delete from lease where job_id = ? and unit = ?").params(jobId, unit).update();
    }

    public void releaseAll(UUID jobId) {
        db.sql("delete from lease where job_id = ?").param(jobId).update();
    }

    public int count(UUID jobId) {
        return db.sql("select count(*) from lease where job_id = ?").param(jobId).query(Integer.class).single();
    }

    /** A lease not renewed since {@code cutoff}: its worker is presumed gone. */
    public record Expired(UUID jobId, int attempt, String worker, Instant heartbeatAt) {
    }

    /** The oldest expired lease of each job. */
    public List<Expired> expired(Instant cutoff) {
        return db.sql("""
                select distinct on (job_id) job_id, attempt, worker, heartbeat_at from lease
                where heartbeat_at < ? order by job_id, heartbeat_at""")
                .param(Timestamp.from(cutoff))
                .query((rs, n) -> new Expired(rs.getObject(1, UUID.class), rs.getInt(2), rs.getString(3),
                        rs.getTimestamp(4).toInstant()))
                .list();
    }
}
