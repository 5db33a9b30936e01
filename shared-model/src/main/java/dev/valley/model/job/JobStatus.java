package dev.valley.model.job;

/**
 * {@code WAITING}: the job needs the output of jobs that have not finished; it is queued when they succeed and
 * fails, naming the reason, when one of them does not.
 */
public enum JobStatus {
    WAITING, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    /** Whether nothing more happens to a job in this state. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
