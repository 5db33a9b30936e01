package dev.valley.api.job;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.UUID;

/** One spec field of a job that names another job's weights. */
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

    protected JobInput() {
    }

    JobInput(UUID jobId, String field, UUID sourceJobId, String artifact) {
        this.jobId = jobId;
        this.field = field;
        this.sourceJobId = sourceJobId;
        this.artifact = artifact;
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
