package dev.valley.worker.runner;

import dev.valley.model.queue.DispatchMessage;
import org.springframework.context.ApplicationContext;

/** What the standalone tests ask of a worker's runner that only its package may: run a dispatch as delivered. */
public final class Runs {
    private Runs() {
    }

    /**
     * Runs {@code message} on the worker of {@code context} to its end, as a second delivery of it would be run once
     * taken, without the taking (whose STARTED would have the api-service tell it to stop).
     */
    public static void runAsDeliveredAgain(ApplicationContext context, DispatchMessage message) {
        context.getBean(JobRunner.class).run(message);
    }
}
