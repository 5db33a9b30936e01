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

/** A message waiting to be published: a job attempt's dispatch, or a control message to the workers. */
@Entity
@Table(name = "outbox")
public class OutboxMessage {
    /** What a row carries, and so where it goes. */
    public enum Kind {
        /** To the dispatch exchange, routed by the pool. */
        DISPATCH,
        /** To the control fanout, which every worker hears. */
        CONTROL
    }

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
    private int priority = 4;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    private Kind kind;

    protected OutboxMessage() {
    }

    OutboxMessage(Kind kind, UUID jobId, int attempt, String pool, String payload, Instant createdAt,
            Instant availableAt) {
        this.kind = kind;
        this.availableAt = availableAt;
        this.jobId = jobId;
        this.attempt = attempt;
        this.pool = pool;
        this.payload = payload;
        this.createdAt = createdAt;
    }

    /** The dispatch's priority on the broker (0–9), the job's. */
    OutboxMessage prioritized(int value) {
        this.priority = value;
        return this;
    }

    public int getPriority() {
        return priority;
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

    public Kind getKind() {
        return kind;
    }
}
