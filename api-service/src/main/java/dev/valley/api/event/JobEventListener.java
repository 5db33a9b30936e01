package dev.valley.api.event;

import dev.valley.model.event.JobEvent;
import dev.valley.model.queue.Queues;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

@Component
class JobEventListener {
    private final ApplyJobEvent apply;

    JobEventListener(ApplyJobEvent apply) {
        this.apply = apply;
    }

    @RabbitListener(queues = Queues.EVENTS_QUEUE)
    void on(JobEvent event) {
        apply.apply(event);
    }
}
