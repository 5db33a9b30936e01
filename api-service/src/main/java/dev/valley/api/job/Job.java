package dev.valley.api.job;

import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobStatus;
import dev.valley.model.job.JobType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;

/** A job row. Status changes after creation go through {@link JobLifecycle}'s conditional updates. */
@Entity
@Table(name = "job")
public class Job {
    @Id
    private UUID id;
    @Column(nullable = false)
    @jakarta.persistence.Convert(converter = JobTypeColumn.class)
    private JobType type;
    private String name;
    private String experiment;
    private String resultKey;
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    @jakarta.persistence.Convert(converter = TagsColumn.class)
    private java.util.Map<String, String> tags = java.util.Map.of();
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    private JobStatus status;
    private double progress;
    private int attempt;
    private int maxAttempts;
    private int priority = DEFAULT_PRIORITY;
    private String submittedBy;
    private Integer maxRunning;
    private int failures;
    @Column(nullable = false)
    private String pool;
    @Column(columnDefinition = "jsonb", nullable = false)
    @ColumnTransformer(write = "?::jsonb")
    @jakarta.persistence.Convert(converter = JobSpecColumn.class)
    private JobSpec spec;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String result;
    private String error;
    private String worker;
    private boolean cancelRequested;
    private Instant createdAt;
    private Instant startedAt;
    private Instant finishedAt;
    private Instant heartbeatAt;

    /** The priority of a job that asks for none; 0 is the lowest, 9 the highest. */
    public static final int DEFAULT_PRIORITY = 4;

    protected Job() {
    }

    Job(UUID id, JobType type, String name, String pool, int maxAttempts, JobSpec spec, JobStatus status,
            Instant createdAt) {
        this.id = id;
        this.maxAttempts = maxAttempts;
        this.type = type;
        this.name = name;
        this.status = status;
        this.attempt = 1;
        this.pool = pool;
        this.spec = spec;
        this.createdAt = createdAt;
    }

    /** Who submitted it and how many of that caller's jobs may run at once (null: any number). */
    void submittedBy(String caller, Integer maxRunning) {
        this.submittedBy = caller;
        this.maxRunning = maxRunning;
    }

    public String getSubmittedBy() {
        return submittedBy;
    }

    void prioritize(int priority) {
        this.priority = priority;
    }

    public int getPriority() {
        return priority;
    }

    /** Files the job under an experiment (null: none) with its tags. */
    void label(String experiment, java.util.Map<String, String> tags) {
        this.experiment = experiment;
        this.tags = tags == null ? java.util.Map.of() : java.util.Map.copyOf(tags);
    }

    /** What the job computes ({@link ResultKey}); null until its inputs are known. */
    public String getResultKey() {
        return resultKey;
    }

    void keyResult(String key) {
        this.resultKey = key;
    }

    public String getExperiment() {
        return experiment;
    }

    public java.util.Map<String, String> getTags() {
        return tags;
    }

    /** A job that fails before it ever runs, because an input failed. */
    void failBeforeRunning(String reason, Instant at) {
        this.status = JobStatus.FAILED;
        this.error = reason;
        this.finishedAt = at;
    }

    public UUID getId() {
        return id;
    }

    public JobType getType() {
        return type;
    }

    public String getName() {
        return name;
    }

    public JobStatus getStatus() {
        return status;
    }

    public double getProgress() {
        return progress;
    }

    public int getAttempt() {
        return attempt;
    }

    /** How many attempts the job may lose (to its worker or the platform) before it fails. */
    public int getMaxAttempts() {
        return maxAttempts;
    }

    /** Attempts lost so far. */
    public int getFailures() {
        return failures;
    }

    public String getPool() {
        return pool;
    }

    /** The spec as its type's record, every default filled in. */
    public JobSpec spec() {
        return spec;
    }

    public String getResult() {
        return result;
    }

    public String getError() {
        return error;
    }

    public String getWorker() {
        return worker;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getStartedAt() {
        return startedAt;
    }

    public Instant getFinishedAt() {
        return finishedAt;
    }

    public Instant getHeartbeatAt() {
        return heartbeatAt;
    }
}
