package dev.valley.api.dispatch;

import dev.valley.model.job.GridTile;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Writes the dispatch of a job attempt; must join the transaction that writes the job. */
@Component
public class Outbox {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final OutboxRepository messages;

    Outbox(OutboxRepository messages) {
        this.messages = messages;
    }

    /** {@code notBefore}: when it may be published (a retry's backoff); null for now. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void enqueue(UUID jobId, int attempt, JobType type, String pool, JsonNode spec,
            List<DispatchMessage.Input> inputs, GridTile tile, Instant notBefore) {
        DispatchMessage message = new DispatchMessage(jobId, attempt, type, spec, inputs, tile);
        messages.save(new OutboxMessage(jobId, attempt, pool, JSON.writeValueAsString(message), Instant.now(),
                notBefore));
    }
}
