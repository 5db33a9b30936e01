package dev.valley.worker.runner;

import dev.valley.model.event.JobEvent;
import dev.valley.model.queue.Queues;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

@Component
class EventReporter {
    private final RabbitTemplate rabbit;

    EventReporter(RabbitTemplate rabbit) {
        this.rabbit = rabbit;
    }

    void report(JobEvent event) {
        rabbit.convertAndSend(Queues.EVENTS_EXCHANGE, Queues.EVENTS_QUEUE, event);
    }
}
