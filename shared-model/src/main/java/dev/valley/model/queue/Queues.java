package dev.valley.model.queue;

/** Exchange, queue and routing names shared by the api-service and the workers. */
public final class Queues {
    /** Direct exchange for job dispatch; the routing key is the worker pool. */
    public static final String DISPATCH_EXCHANGE = "valley.dispatch";
    public static final String DEFAULT_POOL = "default";
    public static final String DISPATCH_QUEUE_PREFIX = "valley.jobs.";

    /**
     * Workers report to this exchange; the api-service alone consumes the queue. The queue's name is also the
     * routing key, and a deployment may name another ({@code valley.dispatch.events-queue} and
     * {@code valley.worker.events-queue}, always together): two Valleys on one broker (test runs) then each hear only
     * their own workers.
     */
    public static final String EVENTS_EXCHANGE = "valley.events";
    public static final String EVENTS_QUEUE = "valley.events";

    /** Fanout to every worker: cancellation requests. Each worker binds a private queue. */
    public static final String CONTROL_EXCHANGE = "valley.control";

    /** Fanout dead-letter exchange (Qpid routes by alternate binding, so no routing keys here). */
    public static final String DEAD_LETTER_EXCHANGE = "valley.dlx";
    public static final String DEAD_LETTER_QUEUE = "valley.dead-letters";

    private Queues() {
    }

    public static String dispatchQueue(String pool) {
        return DISPATCH_QUEUE_PREFIX + pool;
    }

    /** The highest dispatch priority; a job's is 0 to this. */
    public static final int MAX_PRIORITY = 9;

    /**
     * A dispatch queue's arguments, the same wherever it is declared (the api-service and the workers): a priority
     * queue, for RabbitMQ ({@code x-max-priority}) and for Qpid Broker-J, which `./valley up` embeds and which reads
     * only its own {@code x-qpid-priorities} (the number of levels); each broker ignores the other's.
     */
    public static java.util.Map<String, Object> dispatchArguments() {
        return java.util.Map.of("x-max-priority", MAX_PRIORITY, "x-qpid-priorities", MAX_PRIORITY + 1);
    }
}
