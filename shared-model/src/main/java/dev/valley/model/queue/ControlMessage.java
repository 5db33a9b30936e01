package dev.valley.model.queue;

import java.util.UUID;

/**
 * A request to every worker about one attempt of one job; the worker running that attempt acts, the others ignore
 * it. {@code attempt} 0 means whichever attempt runs.
 */
public record ControlMessage(UUID jobId, int attempt, Command command) {
    /** CANCEL: stop and upload nothing; RELEASE: stop at the next step and hand the attempt back (preempted). */
    public enum Command { CANCEL, RELEASE }

    public boolean concerns(UUID job, int running) {
        return jobId.equals(job) && (attempt == 0 || attempt == running);
    }
}
