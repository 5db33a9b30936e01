package dev.valley.api.job;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import dev.valley.model.job.ModelRef;
import java.util.UUID;

/** One spec field of a job that names weights: another job's artifact, or an uploaded model (exactly one). */
@Entity
@Table(name = "job_input")
@IdClass(JobInput.Key.class)
public class JobInput {
    @Id
    private UUID jobId;
    @Id
    private String field;
    private UUID sourceJobId;
    private String artifact;
    private UUID sourceModelId;

    protected JobInput() {
    }

    JobInput(UUID jobId, String field, UUID sourceJobId, String artifact, UUID sourceModelId) {
        this.jobId = jobId;
        this.field = field;
        this.sourceJobId = sourceJobId;
        this.artifact = artifact;
        this.sourceModelId = sourceModelId;
    }

    /** The uploaded model this field names; null when it names a job's artifact. */
    public UUID getSourceModelId() {
        return sourceModelId;
    }

    ModelRef ref() {
        return sourceModelId != null ? ModelRef.uploaded(sourceModelId) : new ModelRef(sourceJobId, artifact);
    }

    public record Key(UUID jobId, String field) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    public UUID getJobId() {
        return jobId;
    }

    public String getField() {
        return field;
    }

    public UUID getSourceJobId() {
        return sourceJobId;
    }

    public String getArtifact() {
        return artifact;
    }
}
