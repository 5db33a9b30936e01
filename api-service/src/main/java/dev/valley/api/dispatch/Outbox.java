package dev.valley.api.dispatch;

import static dev.valley.model.Json.JSON;

import dev.valley.model.job.GridTile;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.ControlMessage;
import dev.valley.model.queue.DispatchMessage;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Writes what the broker should carry, in the transaction that decided it (it must join one): the dispatch of a job
 * attempt, or a cancel or release for the workers. {@link PublishOutbox} publishes it once that commits, and again until the
 * broker confirms, so nothing is lost to a broker that is away and nothing is sent for a change that rolled back.
 */
@Component
public class Outbox {
    private final OutboxRepository messages;

    Outbox(OutboxRepository messages) {
        this.messages = messages;
    }

    /** {@code notBefore}: when it may be published (a retry's backoff); null for now. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void enqueue(UUID jobId, int attempt, JobType type, String pool, int priority, JobSpec spec,
            List<DispatchMessage.Input> inputs, GridTile tile, Instant notBefore) {
        DispatchMessage message = new DispatchMessage(jobId, attempt, type, spec, inputs, tile);
        messages.save(new OutboxMessage(OutboxMessage.Kind.DISPATCH, jobId, attempt, pool,
                JSON.writeValueAsString(message), Instant.now(), notBefore).prioritized(priority));
    }

    /** Tells every worker to stop attempt {@code attempt} of the job; the one running it does, at its next step. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void cancel(UUID jobId, int attempt) {
        control(new ControlMessage(jobId, attempt, ControlMessage.Command.CANCEL));
    }

    /**
     * Asks the worker running attempt {@code attempt} to hand it back at its next step (RELEASED, resumed later from
     * its checkpoint): a preemption.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void release(UUID jobId, int attempt) {
        control(new ControlMessage(jobId, attempt, ControlMessage.Command.RELEASE));
    }

    private void control(ControlMessage message) {
        messages.save(new OutboxMessage(OutboxMessage.Kind.CONTROL, message.jobId(), message.attempt(), "",
                JSON.writeValueAsString(message), Instant.now(), null));
    }
}
