package dev.valley.api.job;

import dev.valley.model.job.JobStatus;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The experiments jobs were filed under, each with its jobs counted by status. */
@RestController
class ExperimentController {
    private final JobRepository jobs;

    ExperimentController(JobRepository jobs) {
        this.jobs = jobs;
    }

    /** An experiment: its jobs in all and by status (every status present, 0 where none), and its latest job. */
    record ExperimentView(String name, long jobs, Map<JobStatus, Long> byStatus, Instant latestSubmittedAt) {
    }

    /** Every experiment, the one with the latest submission first. */
    @GetMapping("/api/v1/experiments")
    List<ExperimentView> list() {
        Map<String, Map<JobStatus, Long>> counts = new LinkedHashMap<>();
        Map<String, Instant> latest = new LinkedHashMap<>();
        for (Object[] row : jobs.experimentCounts()) {
            String name = (String) row[0];
            Map<JobStatus, Long> byStatus = counts.computeIfAbsent(name, n -> {
                Map<JobStatus, Long> zero = new EnumMap<>(JobStatus.class);
                for (JobStatus s : JobStatus.values()) {
                    zero.put(s, 0L);
                }
                return zero;
            });
            byStatus.put(JobStatus.valueOf((String) row[1]), ((Number) row[2]).longValue());
            Instant at = row[3] instanceof Timestamp t ? t.toInstant()
                    : row[3] instanceof java.time.OffsetDateTime o ? o.toInstant() : (Instant) row[3];
            latest.merge(name, at, (a, b) -> a.isAfter(b) ? a : b);
        }
        List<ExperimentView> views = new ArrayList<>();
        counts.forEach((name, byStatus) -> views.add(new ExperimentView(name,
                byStatus.values().stream().mapToLong(Long::longValue).sum(), byStatus, latest.get(name))));
        views.sort(Comparator.comparing(ExperimentView::latestSubmittedAt).reversed()
                .thenComparing(ExperimentView::name));
        return views;
    }
}
