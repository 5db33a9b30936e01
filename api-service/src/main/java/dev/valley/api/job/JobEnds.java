package dev.valley.api.job;

import dev.valley.api.artifact.AttemptObjects;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * What follows every end of a job, whichever way it came (a worker's final event, the last attempt lost, a cancel):
 * its leases go, the jobs waiting for it are queued or failed, and what its attempts stored but it does not keep is
 * removed once the end is committed.
 */
@Component
public class JobEnds {
    private final Leases leases;
    private final Dependents dependents;
    private final AttemptObjects attemptObjects;

    JobEnds(Leases leases, Dependents dependents, AttemptObjects attemptObjects) {
        this.leases = leases;
        this.dependents = dependents;
        this.attemptObjects = attemptObjects;
    }

    /** Call in the transaction that moved job {@code id} to a final state. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void ended(UUID id) {
        leases.releaseAll(id);
        dependents.onEnded(id);
        attemptObjects.cleanAfterCommit(id);
    }
}
