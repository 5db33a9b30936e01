package dev.valley.api.event;

import dev.valley.model.event.JobEvent;
import dev.valley.model.queue.Queues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import dev.valley.api.web.DatabaseOutage;
import org.springframework.stereotype.Component;

/**
 * Applies the workers' events in order. While the database is unreachable an event goes back to the head of the
 * queue (after a pause, so that an outage is not a busy loop) instead of to the dead letters: nothing a worker
 * reported is lost to a database restart. An event that fails for any other reason is dead-lettered.
 */
@Component
class JobEventListener {
    private static final Logger log = LoggerFactory.getLogger(JobEventListener.class);
    private static final long PAUSE_MILLIS = 1000;

    private final ApplyJobEvent apply;
    private volatile boolean databaseDown;

    JobEventListener(ApplyJobEvent apply) {
        this.apply = apply;
    }

    @RabbitListener(queues = "${valley.dispatch.events-queue:" + Queues.EVENTS_QUEUE + "}")
    void on(JobEvent event) {
        try {
            apply.apply(event);
            if (databaseDown) {
                log.info("database reachable again; applying events");
                databaseDown = false;
            }
        } catch (RuntimeException e) {
            if (!DatabaseOutage.isCause(e)) {
                throw e;
            }
            if (!databaseDown) {
                log.warn("database unreachable; events wait on the queue: {}", e.getMessage());
            }
            databaseDown = true;
            try {
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new ImmediateRequeueAmqpException("database unreachable", e);
        }
    }
}
