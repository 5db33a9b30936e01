package dev.valley.worker.runner;

import dev.valley.model.event.JobEvent;
import dev.valley.model.queue.Queues;
import dev.valley.worker.WorkerProperties;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends a worker's events. Progress and heartbeats are best effort: one lost while the broker is away is replaced
 * by the next. Events the platform must see (an attempt taken, an attempt ended) are {@link #deliver delivered}:
 * sent again until the broker confirmed them.
 */
@Component
class EventReporter {
    private static final Logger log = LoggerFactory.getLogger(EventReporter.class);
    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private final RabbitTemplate rabbit;
    private final String eventsQueue;
    private volatile boolean failing;

    EventReporter(RabbitTemplate rabbit, WorkerProperties worker) {
        this.rabbit = rabbit;
        this.eventsQueue = worker.eventsQueue();
    }

    /** Best effort; never throws. */
    void report(JobEvent event) {
        try {
            rabbit.convertAndSend(Queues.EVENTS_EXCHANGE, eventsQueue, event);
            failing = false;
        } catch (AmqpException e) {
            if (!failing) {
                log.warn("{} of job {} not sent: {}", event.kind(), event.jobId(), e.getMessage());
            }
            failing = true;
        }
    }

    /** Sends {@code event} once and waits for the broker's confirm; false when it did not come. */
    boolean sendConfirmed(JobEvent event) {
        try {
            CorrelationData correlation = new CorrelationData();
            rabbit.convertAndSend(Queues.EVENTS_EXCHANGE, eventsQueue, event, correlation);
            CorrelationData.Confirm confirm = correlation.getFuture()
                    .get(CONFIRM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return confirm.ack() && correlation.getReturned() == null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            log.debug("{} of job {} not confirmed: {}", event.kind(), event.jobId(), e.toString());
            return false;
        }
    }

    /**
     * Sends until the broker confirms, backing off up to 10 s between tries, for at most {@code patience}; false when
     * it gave up (the api-service's lease then takes the attempt back).
     */
    boolean deliver(JobEvent event, Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        long wait = 200;
        while (true) {
            if (sendConfirmed(event)) {
                return true;
            }
            if (System.nanoTime() + wait * 1_000_000 > deadline || Thread.currentThread().isInterrupted()) {
                log.error("{} of job {} attempt {} could not be delivered within {}", event.kind(), event.jobId(),
                        event.attempt(), patience);
                return false;
            }
            log.warn("{} of job {} not confirmed; sending again in {} ms", event.kind(), event.jobId(), wait);
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            wait = Math.min(wait * 2, 10_000);
        }
    }
}
