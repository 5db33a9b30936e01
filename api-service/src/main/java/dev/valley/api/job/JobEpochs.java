package dev.valley.api.job;

import static dev.valley.model.Json.JSON;

import dev.valley.model.event.JobEvent;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;
import org.springframework.stereotype.Component;

/**
 * A job's history while it runs: each epoch's figures as its worker reports them, per series (the run within the
 * job: train, curve, baseline, swa, fge), the latest attempt's where an epoch ran twice.
 */
@Component
public class JobEpochs {
    /**
     * One epoch of one series, from attempt {@code attempt}: its figures by name (a training run's epoch, lr,
     * trainLoss, testLoss, testAccuracy and seconds; a curve's epoch, lr, trainLoss and seconds).
     */
    public record EpochReport(String series, int epoch, int attempt, Instant at, Map<String, Double> figures) {
    }

    private static final TypeReference<Map<String, Double>> FIGURES = new TypeReference<>() {
    };

    private final JdbcClient db;

    JobEpochs(JdbcClient db) {
        this.db = db;
    }

    /** Keeps an epoch's figures; {@code series} defaults to the job's type. */
    void record(UUID job, int attempt, String defaultSeries, JobEvent.Epoch epoch, Instant at) {
        db.sql("""
                insert into job_epoch (job_id, series, epoch, attempt, at, figures) values (?, ?, ?, ?, ?, ?::jsonb)
                on conflict (job_id, series, epoch) do update
                    set attempt = excluded.attempt, at = excluded.at, figures = excluded.figures
                    where job_epoch.attempt <= excluded.attempt""")
                .params(job, epoch.series() == null ? defaultSeries : epoch.series(), epoch.epoch(), attempt,
                        Timestamp.from(at), epoch.figures().toString())
                .update();
    }

    /** In the order the job ran them: by the time each was reported. */
    List<EpochReport> of(UUID job) {
        return db.sql("""
                select series, epoch, attempt, at, figures from job_epoch where job_id = ? order by at, series, epoch""")
                .param(job)
                .query((rs, n) -> new EpochReport(rs.getString(1), rs.getInt(2), rs.getInt(3),
                        rs.getTimestamp(4).toInstant(), JSON.readValue(rs.getString(5), FIGURES)))
                .list();
    }
}
