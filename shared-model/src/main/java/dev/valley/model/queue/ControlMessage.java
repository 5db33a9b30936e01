package dev.valley.model.queue;

import java.util.UUID;

/** A request to every worker about one job; the worker running it acts, the others ignore it. */
public record ControlMessage(UUID jobId, Command command) {
    public enum Command { CANCEL }
}
