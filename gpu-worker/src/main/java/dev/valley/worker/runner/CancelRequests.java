package dev.valley.worker.runner;

import dev.valley.model.queue.ControlMessage;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Cancellation requests that reached this worker, for the attempts it runs now. */
@Component
class CancelRequests {
    private final Map<UUID, Integer> running = new ConcurrentHashMap<>();
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();

    @RabbitListener(queues = "#{controlQueue.name}")
    void on(ControlMessage message) {
        Integer attempt = running.get(message.jobId());
        if (message.command() == ControlMessage.Command.CANCEL && attempt != null
                && message.concerns(message.jobId(), attempt)) {
            cancelled.add(message.jobId());
        }
    }

    void begin(UUID jobId, int attempt) {
        running.put(jobId, attempt);
    }

    void end(UUID jobId) {
        running.remove(jobId);
        cancelled.remove(jobId);
    }

    boolean isCancelled(UUID jobId) {
        return cancelled.contains(jobId);
    }
}
