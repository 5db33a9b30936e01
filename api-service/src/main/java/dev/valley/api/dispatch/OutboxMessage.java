package dev.valley.api.dispatch;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;

@Entity
@Table(name = "outbox")
public class OutboxMessage {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;
    private UUID jobId;
    private int attempt;
    private String pool;
    @Column(columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String payload;
    private Instant createdAt;
    private Instant sentAt;
    private Instant availableAt;

    protected OutboxMessage() {
    }

    OutboxMessage(UUID jobId, int attempt, String pool, String payload, Instant createdAt, Instant availableAt) {
        this.availableAt = availableAt;
        this.jobId = jobId;
        this.attempt = attempt;
        this.pool = pool;
        this.payload = payload;
        this.createdAt = createdAt;
    }

    public Long getId() {
        return id;
    }

    public UUID getJobId() {
        return jobId;
    }

    public int getAttempt() {
        return attempt;
    }

    public String getPool() {
        return pool;
    }

    public String getPayload() {
        return payload;
    }
}
