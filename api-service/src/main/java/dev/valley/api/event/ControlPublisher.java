package dev.valley.api.event;

import dev.valley.model.queue.ControlMessage;
import dev.valley.model.queue.Queues;
import java.util.UUID;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/** Tells every worker to stop an attempt of a job; the one running it does, at its next step. */
@Component
public class ControlPublisher {
    private final RabbitTemplate rabbit;

    ControlPublisher(RabbitTemplate rabbit) {
        this.rabbit = rabbit;
    }

    public void cancel(UUID jobId, int attempt) {
        rabbit.convertAndSend(Queues.CONTROL_EXCHANGE, "",
                new ControlMessage(jobId, attempt, ControlMessage.Command.CANCEL));
    }
}
