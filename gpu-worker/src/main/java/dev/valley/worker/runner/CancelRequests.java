package dev.valley.worker.runner;

import dev.valley.model.queue.ControlMessage;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Cancel and release requests that reached this worker, for the attempts it runs now. */
@Component
class CancelRequests {
    private final Map<UUID, Integer> running = new ConcurrentHashMap<>();
    private final Set<UUID> cancelled = ConcurrentHashMap.newKeySet();
    private final Set<UUID> released = ConcurrentHashMap.newKeySet();

    @RabbitListener(queues = "#{controlQueue.name}")
    void on(ControlMessage message) {
        Integer attempt = running.get(message.jobId());
        if (attempt == null || !message.concerns(message.jobId(), attempt)) {
            return;
        }
        switch (message.command()) {
            case CANCEL -> cancelled.add(message.jobId());
            case RELEASE -> released.add(message.jobId());
        }
    }

    void begin(UUID jobId, int attempt) {
        running.put(jobId, attempt);
    }

    void end(UUID jobId) {
        running.remove(jobId);
        cancelled.remove(jobId);
        released.remove(jobId);
    }

    boolean isCancelled(UUID jobId) {
        return cancelled.contains(jobId);
    }

    /** Asked to hand this attempt back (a preemption): it stops at its next step and is RELEASED. */
    boolean isReleased(UUID jobId) {
        return released.contains(jobId);
    }
}
