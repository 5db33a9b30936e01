package dev.valley.api.job;

import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.job.GridTile;
import dev.valley.model.queue.DispatchMessage;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** The {@code grid_tile} rows: which tiles a grid has, which are stored, and by whom. */
@Component
class GridTiles {
    private final JdbcClient db;

    GridTiles(JdbcClient db) {
        this.db = db;
    }

    /** Whether tile {@code index} of the grid is stored. */
    boolean isDone(UUID jobId, int index) {
        return db.sql("select count(*) from grid_tile where job_id = ? and idx = ? and done_at is not null")
                .params(jobId, index).query(Long.class).single() > 0;
    }

    /** Writes the tile rows that do not exist yet and returns the tiles still to compute. */
    @Transactional(propagation = Propagation.MANDATORY)
    List<GridTile> open(UUID jobId, List<GridTile> tiles) {
        for (GridTile t : tiles) {
            db.sql("""
                    insert into grid_tile (job_id, idx, x0, x1, y0, y1) values (?, ?, ?, ?, ?, ?)
                    on conflict (job_id, idx) do nothing""")
                    .params(jobId, t.index(), t.x0(), t.x1(), t.y0(), t.y1()).update();
        }
        return db.sql("select idx, x0, x1, y0, y1 from grid_tile where job_id = ? and done_at is null order by idx")
                .param(jobId)
                .query((rs, n) -> new GridTile(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getInt(4), rs.getInt(5)))
                .list();
    }

    /** Records a stored tile; false when it was stored already (a duplicate delivery) or is not the grid's. */
    @Transactional(propagation = Propagation.MANDATORY)
    boolean markDone(UUID jobId, int index, ArtifactInfo stored, String worker, Instant at) {
        return db.sql("""
                update grid_tile set object_key = ?, sha256 = ?, size = ?, worker = ?, done_at = ?
                where job_id = ? and idx = ? and done_at is null""")
                .params(stored.key(), stored.sha256(), stored.size(), worker, Timestamp.from(at), jobId, index)
                .update() == 1;
    }

    record Count(int total, int done) {
    }

    Count count(UUID jobId) {
        return db.sql("select count(*), count(done_at) from grid_tile where job_id = ?").param(jobId)
                .query((rs, n) -> new Count(rs.getInt(1), rs.getInt(2))).single();
    }

    /** Every stored tile as an input of the assembly ({@code tiles[i]}). */
    List<DispatchMessage.Input> stored(UUID jobId) {
        return db.sql("""
                select idx, object_key, sha256, size from grid_tile where job_id = ? and done_at is not null
                order by idx""")
                .param(jobId)
                .query((rs, n) -> new DispatchMessage.Input(DispatchMessage.tileField(rs.getInt(1)), jobId,
                        "tile-" + rs.getInt(1) + ".json", rs.getString(2), rs.getString(3), rs.getLong(4), null, null))
                .list();
    }

    /** Tiles per worker, for the job's view; empty for a job without tiles. */
    Map<String, Integer> byWorker(UUID jobId) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        db.sql("""
                select coalesce(worker, ''), count(*) from grid_tile where job_id = ? and done_at is not null
                group by worker order by worker""")
                .param(jobId).query(rs -> {
                    counts.put(rs.getString(1), rs.getInt(2));
                });
        return counts;
    }
}
