package dev.valley.api.dispatch;

import dev.valley.model.queue.ControlMessage;
import dev.valley.model.queue.DispatchMessage;
import dev.valley.model.queue.Queues;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Publishes unsent outbox rows and marks a row sent only when the broker confirmed it with an ack and returned
 * nothing (Qpid nacks an unroutable message, RabbitMQ returns it and then acks). While the broker is down the rows
 * wait; after a restart of an in-memory broker, rows are unsent still, so nothing is lost. A control message is
 * done once the broker answered at all: one that no queue takes reached every worker there is (none).
 */
@Component
public class PublishOutbox {
    private static final Logger log = LoggerFactory.getLogger(PublishOutbox.class);

    private final OutboxRepository outbox;
    private final RabbitTemplate rabbit;
    private final DispatchProperties properties;
    private final org.springframework.transaction.support.TransactionTemplate transactions;
    private volatile boolean brokerDown;

    PublishOutbox(OutboxRepository outbox, RabbitTemplate rabbit, DispatchProperties properties,
            org.springframework.transaction.support.TransactionTemplate transactions) {
        this.transactions = transactions;
        this.outbox = outbox;
        this.rabbit = rabbit;
        this.properties = properties;
    }

    /**
     * Publishes a batch of due rows and marks those the broker confirmed, in one transaction that holds the batch's
     * rows locked ({@link OutboxRepository#claimDue}): another instance publishing at the same time skips them.
     */
    public void publishPending() {
        transactions.executeWithoutResult(status -> publish(outbox.claimDue(Instant.now(), properties.batchSize())));
    }

    private void publish(List<OutboxMessage> pending) {
        if (pending.isEmpty()) {
            return;
        }
        List<CorrelationData> confirms = new ArrayList<>();
        java.util.Set<String> controls = new java.util.HashSet<>();
        try {
            for (OutboxMessage row : pending) {
                CorrelationData correlation = new CorrelationData(row.getId().toString());
                boolean control = row.getKind() == OutboxMessage.Kind.CONTROL;
                rabbit.send(control ? Queues.CONTROL_EXCHANGE : Queues.DISPATCH_EXCHANGE, row.getPool(),
                        toMessage(row), correlation);
                confirms.add(correlation);
                if (control) {
                    controls.add(correlation.getId());
                }
            }
        } catch (AmqpException e) {
            if (!brokerDown) {
                log.warn("broker unreachable, {} dispatches wait in the outbox: {}", outbox.countBySentAtIsNull(),
                        e.getMessage());
            }
            brokerDown = true;
        }
        for (CorrelationData correlation : confirms) {
            awaitConfirm(correlation, controls.contains(correlation.getId()));
        }
    }

    private void awaitConfirm(CorrelationData correlation, boolean control) {
        try {
            CorrelationData.Confirm confirm = correlation.getFuture()
                    .get(properties.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
            // Qpid nacks an unroutable message where RabbitMQ returns it: for a control message both mean no worker
            // listens, so none runs the attempt. A cancel that is lost all the same is sent again with the answer to
            // the running worker's next heartbeat (ApplyJobEvent).
            if (control || (confirm.ack() && correlation.getReturned() == null)) {
                outbox.markSent(Long.parseLong(correlation.getId()), Instant.now());
                if (brokerDown) {
                    log.info("broker reachable again, dispatching");
                    brokerDown = false;
                }
            } else {
                log.warn("dispatch {} not accepted by the broker (ack={}, returned={}, reason={}); will retry",
                        correlation.getId(), confirm.ack(), correlation.getReturned() != null, confirm.reason());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("no confirm for dispatch {}: {}; will retry", correlation.getId(), e.toString());
        }
    }

    private static Message toMessage(OutboxMessage row) {
        return MessageBuilder.withBody(row.getPayload().getBytes(StandardCharsets.UTF_8))
                .setContentType("application/json")
                .setContentEncoding("UTF-8")
                .setMessageId("outbox-" + row.getId())
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setPriority(row.getPriority())
                .setHeader("valley-job", row.getJobId().toString())
                .setHeader("valley-attempt", row.getAttempt())
                // A control message is read by a @RabbitListener through Spring's JSON converter, which asks.
                .setHeader("__TypeId__", row.getKind() == OutboxMessage.Kind.CONTROL
                        ? ControlMessage.class.getName() : DispatchMessage.class.getName())
                .build();
    }
}
