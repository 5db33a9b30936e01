package dev.valley.worker.runner;

import static dev.valley.model.Json.JSON;

import com.rabbitmq.client.GetResponse;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.model.queue.Queues;
import dev.valley.worker.WorkerProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Takes dispatches one at a time, only when this worker is free: a {@code basic.get}, then the attempt's STARTED
 * (confirmed by the broker), then the acknowledgement. No message is held while a job runs, so RabbitMQ's consumer
 * timeout never applies and a busy worker hoards nothing; the api-service's lease keeps the attempt from then on.
 * A message that is not a dispatch is rejected to the dead-letter queue, and the next is taken.
 *
 * <p>On shutdown (SIGTERM) it takes nothing more, waits up to {@code valley.worker.drain} for the running attempt,
 * then asks it to stop at its next step and hands it back ({@code RELEASED}); the next attempt resumes from its
 * last checkpoint.
 */
@Component
class DispatchPoller implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(DispatchPoller.class);
    private static final Duration HAND_BACK_WAIT = Duration.ofSeconds(60);

    private final RabbitTemplate rabbit;
    private final JobRunner runner;
    private final WorkerProperties worker;
    private final String queue;
    private volatile boolean running;
    private volatile Thread thread;

    DispatchPoller(RabbitTemplate rabbit, JobRunner runner, WorkerProperties worker) {
        this.rabbit = rabbit;
        this.runner = runner;
        this.worker = worker;
        this.queue = Queues.dispatchQueue(worker.pool());
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::loop, "valley-dispatch");
        thread.start();
    }

    private void loop() {
        boolean brokerDown = false;
        long wait = worker.pollInterval().toMillis();
        while (running) {
            DispatchMessage taken;
            try {
                taken = rabbit.execute(channel -> take(channel));
                if (brokerDown) {
                    log.info("broker reachable again; taking dispatches from {}", queue);
                    brokerDown = false;
                    wait = worker.pollInterval().toMillis();
                }
            } catch (AmqpException e) {
                if (!brokerDown) {
                    log.warn("cannot take dispatches from {}: {}", queue, e.getMessage());
                }
                brokerDown = true;
                pause(wait);
                wait = Math.min(wait * 2, 10_000);
                continue;
            }
            if (taken == null) {
                pause(worker.pollInterval().toMillis());
                continue;
            }
            runner.run(taken);
        }
    }

    /** One message off the queue: null when there is none, or it was not taken (rejected, or not confirmed). */
    private DispatchMessage take(com.rabbitmq.client.Channel channel) throws java.io.IOException {
        GetResponse response = channel.basicGet(queue, false);
        if (response == null) {
            return null;
        }
        long tag = response.getEnvelope().getDeliveryTag();
        DispatchMessage message;
        try {
            message = JSON.readValue(response.getBody(), DispatchMessage.class);
            if (message.jobId() == null || message.attempt() < 1 || message.type() == null) {
                throw new IllegalArgumentException("jobId, attempt and type are required");
            }
        } catch (RuntimeException e) {
            log.warn("dispatch {} is not a dispatch ({}); sent to {}", response.getProps().getMessageId(),
                    e.getMessage(), Queues.DEAD_LETTER_QUEUE);
            channel.basicReject(tag, false);
            return null;
        }
        if (!running || !runner.take(message)) {
            channel.basicReject(tag, true);
            return null;
        }
        channel.basicAck(tag, false);
        return message;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Blocks until the running attempt ended or was handed back: Spring's shutdown waits as long. */
    @Override
    public void stop() {
        running = false;
        Thread current = thread;
        if (current == null) {
            return;
        }
        try {
            current.join(worker.drain().toMillis());
            if (current.isAlive()) {
                log.info("drain of {} over; handing the running attempt back", worker.drain());
                runner.handBack();
                current.join(HAND_BACK_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
