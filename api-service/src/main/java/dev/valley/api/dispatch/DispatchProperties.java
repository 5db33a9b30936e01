package dev.valley.api.dispatch;

import dev.valley.model.queue.Queues;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code defaultPool} takes jobs that name no pool; {@code pools} are the other worker pools a job may name in
 * {@code resources.pool} (each gets its durable queue at start, so jobs wait there until a worker of the pool comes).
 * A worker's lease on what it runs lapses after {@code lease} without a heartbeat (checked every {@code leaseCheck});
 * a job may lose {@code maxAttempts} attempts (or its {@code resources.maxAttempts}) before it fails; a retry after
 * an infrastructure failure waits {@code retryBackoff}, doubling up to {@code retryBackoffMax}. {@code eventsQueue}:
 * where the workers' events arrive, the queue and its routing key (the workers' {@code valley.worker.events-queue}
 * must be the same).
 */
@Validated
@ConfigurationProperties("valley.dispatch")
public record DispatchProperties(
        @NotBlank @DefaultValue("default") String defaultPool,
        @DefaultValue({}) List<String> pools,
        @DefaultValue("200ms") Duration publishInterval,
        @DefaultValue("10s") Duration confirmTimeout,
        @Min(1) @DefaultValue("100") int batchSize,
        @Min(1) @DefaultValue("3") int maxAttempts,
        @DefaultValue("60s") Duration lease,
        @DefaultValue("5s") Duration leaseCheck,
        @DefaultValue("5s") Duration retryBackoff,
        @DefaultValue("5m") Duration retryBackoffMax,
        @DefaultValue("false") boolean republishOnStart,
        @NotBlank @DefaultValue(Queues.EVENTS_QUEUE) String eventsQueue) {

    /** The default pool, then the others, each once. */
    public Set<String> allPools() {
        Set<String> all = new LinkedHashSet<>();
        all.add(defaultPool);
        all.addAll(pools);
        return all;
    }
}
