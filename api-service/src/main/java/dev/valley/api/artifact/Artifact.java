package dev.valley.api.artifact;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "artifact")
@IdClass(Artifact.Key.class)
public class Artifact {
    @Id
    private UUID jobId;
    @Id
    private String name;
    private int attempt;
    private String contentType;
    private long size;
    private String sha256;
    private String objectKey;
    private Instant createdAt;

    protected Artifact() {
    }

    public Artifact(UUID jobId, String name, int attempt, String contentType, long size, String sha256,
            String objectKey, Instant createdAt) {
        this.jobId = jobId;
        this.name = name;
        this.attempt = attempt;
        this.contentType = contentType;
        this.size = size;
        this.sha256 = sha256;
        this.objectKey = objectKey;
        this.createdAt = createdAt;
    }

    public record Key(UUID jobId, String name) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    public UUID getJobId() {
        return jobId;
    }

    public String getName() {
        return name;
    }

    public int getAttempt() {
        return attempt;
    }

    public String getContentType() {
        return contentType;
    }

    public long getSize() {
        return size;
    }

    public String getSha256() {
        return sha256;
    }

    public String getObjectKey() {
        return objectKey;
    }
}
