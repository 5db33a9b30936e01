package dev.valley.worker.runner;

import dev.valley.model.queue.ControlMessage;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Cancellation requests that reached this worker, for the jobs it runs now. */
@Component
class CancelRequests {
    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();

    @RabbitListener(queues = "#{controlQueue.name}")
    void on(ControlMessage message) {
        if (message.command() == ControlMessage.Command.CANCEL && running.contains(message.jobId())) {
            cancelled.add(message.jobId());
        }
    }

    void begin(UUID jobId) {
        running.add(jobId);
    }

    void end(UUID jobId) {
        running.remove(jobId);
        cancelled.remove(jobId);
    }

    boolean isCancelled(UUID jobId) {
        return cancelled.contains(jobId);
    }
}
