package dev.valley.api.job;

import dev.valley.api.artifact.Artifact;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.artifact.AttemptObjects;
import dev.valley.api.dispatch.DispatchProperties;
import dev.valley.api.dispatch.Outbox;
import dev.valley.api.web.ConflictException;
import dev.valley.api.web.NotFoundException;
import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.JobStatus;
import dev.valley.model.queue.DispatchMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Every change of a job's status after it was submitted, and what follows each. A job is created WAITING (an input
 * has not succeeded yet), QUEUED (with its dispatch) or FAILED (an input failed) by {@link JobService#submit}; then:
 *
 * <table>
 *   <tr><th>from</th><th>to</th><th>when</th><th>method</th></tr>
 *   <tr><td>WAITING</td><td>QUEUED</td><td>its last input succeeded (dispatch written)</td><td>{@link #inputEnded}</td></tr>
 *   <tr><td>WAITING</td><td>FAILED</td><td>an input failed or was cancelled</td><td>{@link #inputEnded}</td></tr>
 *   <tr><td>WAITING, QUEUED</td><td>CANCELLED</td><td>a client cancels</td><td>{@link #cancel}</td></tr>
 *   <tr><td>RUNNING</td><td>CANCELLED</td><td>a client cancels and no worker holds a lease (a grid whose tiles
 *       all wait)</td><td>{@link #cancel}</td></tr>
 *   <tr><td>RUNNING</td><td>RUNNING, cancel requested</td><td>a client cancels; the worker is told (outbox)</td>
 *       <td>{@link #cancel}</td></tr>
 *   <tr><td>QUEUED</td><td>RUNNING</td><td>the worker's STARTED of the current attempt (lease taken)</td>
 *       <td>{@link #started}</td></tr>
 *   <tr><td>RUNNING</td><td>RUNNING</td><td>PROGRESS or HEARTBEAT (lease renewed), TILE_DONE</td>
 *       <td>{@link #progressed}, {@link #tileDone}</td></tr>
 *   <tr><td>RUNNING</td><td>SUCCEEDED</td><td>FINISHED (result and artifacts recorded)</td><td>{@link #finished}</td></tr>
 *   <tr><td>QUEUED, RUNNING</td><td>FAILED, CANCELLED</td><td>the worker's FAILED or CANCELLED</td>
 *       <td>{@link #endedByWorker}</td></tr>
 *   <tr><td>QUEUED, RUNNING</td><td>QUEUED, attempt n+1</td><td>the attempt ended without ending the job: its lease
 *       lapsed (LOST), INTERRUPTED (after a backoff), RELEASED (not counted)</td><td>{@link #attemptEnded}</td></tr>
 *   <tr><td>QUEUED, RUNNING</td><td>FAILED</td><td>the same, at the job's most attempts lost</td>
 *       <td>{@link #attemptEnded}</td></tr>
 *   <tr><td>QUEUED, RUNNING</td><td>CANCELLED</td><td>the same, with a cancel requested</td>
 *       <td>{@link #attemptEnded}</td></tr>
 * </table>
 *
 * <p>SUCCEEDED, FAILED and CANCELLED are final. Each change is a conditional update on the attempt and the state it
 * leaves ({@link JobRepository}), so a worker's event of a superseded attempt, a duplicate, or one after a final
 * state changes nothing. Whatever ends a job ends it through {@link #ended}: its leases go, the jobs waiting for it
 * are queued or failed, and what its attempts stored but it does not keep is removed after the commit. Every method
 * joins the caller's transaction.
 */
@Component
public class JobLifecycle {
    private static final Logger log = LoggerFactory.getLogger(JobLifecycle.class);

    private final JobRepository jobs;
    private final Leases leases;
    private final Attempts attempts;
    private final Dispatches dispatches;
    private final Outbox outbox;
    private final JobInputRepository inputRows;
    private final JobInputs inputs;
    private final ArtifactRepository artifacts;
    private final AttemptObjects attemptObjects;
    private final DispatchProperties dispatch;
    private final JobEpochs epochs;
    private final dev.valley.api.metrics.ApiMetrics metrics;
    private final GridTiles tiles;

    JobLifecycle(JobRepository jobs, Leases leases, Attempts attempts, Dispatches dispatches, Outbox outbox,
            JobInputRepository inputRows, JobInputs inputs, ArtifactRepository artifacts,
            AttemptObjects attemptObjects, DispatchProperties dispatch, JobEpochs epochs,
            dev.valley.api.metrics.ApiMetrics metrics, GridTiles tiles) {
        this.metrics = metrics;
        this.tiles = tiles;
        this.jobs = jobs;
        this.leases = leases;
        this.attempts = attempts;
        this.dispatches = dispatches;
        this.outbox = outbox;
        this.inputRows = inputRows;
        this.inputs = inputs;
        this.artifacts = artifacts;
        this.attemptObjects = attemptObjects;
        this.dispatch = dispatch;
        this.epochs = epochs;
    }

    // --- a worker's events ---

    /**
     * QUEUED → RUNNING for the current attempt, under the job's row lock, so that the lease cannot be taken while the
     * lease monitor retries the job. A start of any other attempt is told to stop, except a grid tile's: its values
     * count whichever attempt computes them. A job cancelled meanwhile is told to stop at once.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void started(JobEvent event, Instant at) {
        Job job = jobs.findForUpdate(event.jobId()).orElse(null);
        if (job == null) {
            return;
        }
        if (job.getAttempt() != event.attempt() || job.getStatus().isFinal()) {
            if (event.tile() == null || job.getStatus().isFinal()) {
                log.info("job {}: attempt {} started on {}, but the job is {} at attempt {}; told to stop",
                        event.jobId(), event.attempt(), event.worker(), job.getStatus(), job.getAttempt());
                outbox.cancel(event.jobId(), event.attempt());
            }
            return;
        }
        if (event.tile() != null && tiles.isDone(event.jobId(), event.tile())) {
            return; // its TILE_DONE came first (two consumers, either order): no lease to take for it
        }
        jobs.markRunning(event.jobId(), event.attempt(), event.worker(), at);
        if (event.tile() == null) { // a job dispatched whole; a grid's tiles are its own dispatches
            metrics.started(event.jobId(), job.getType().wireName(), event.attempt(), at);
        }
        leases.take(event.jobId(), Leases.unit(event.tile()), event.attempt(), event.worker(), at);
        if (job.isCancelRequested()) {
            outbox.cancel(event.jobId(), event.attempt());
        }
    }

    /** Progress and the lease renewed; the answer to a worker whose attempt should stop (cancelled, or ended). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void progressed(JobEvent event, Instant at) {
        boolean current = jobs.recordProgress(event.jobId(), event.attempt(), event.progress(), at) == 1;
        if (current) {
            leases.renew(event.jobId(), Leases.unit(event.tile()), event.attempt(), at);
        }
        Optional<Job> job = jobs.findById(event.jobId());
        if (current && event.epoch() != null) {
            job.ifPresent(j -> epochs.record(j.getId(), event.attempt(), j.getType().wireName(), event.epoch(), at));
        }
        job.filter(j -> j.getAttempt() == event.attempt() && (j.isCancelRequested() || j.getStatus().isFinal()))
                .ifPresent(j -> outbox.cancel(event.jobId(), event.attempt()));
    }

    /** A grid tile stored: counted (the last one queues the assembly), and its lease released. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void tileDone(JobEvent event, Instant at) {
        dispatches.onTileDone(event, at);
        leases.release(event.jobId(), Leases.unit(event.tile()));
    }

    /**
     * RUNNING → SUCCEEDED with the result; the artifacts are recorded only with that change. From QUEUED too: with
     * several api-service instances consuming events, an attempt's FINISHED may be applied before its STARTED, which
     * then finds the job final and takes no lease.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void finished(JobEvent event, Instant at) {
        if (jobs.markSucceeded(event.jobId(), event.attempt(),
                event.result() == null ? null : event.result().toString(), at) == 0) {
            ignored(event);
            return;
        }
        for (ArtifactInfo a : event.artifacts()) {
            artifacts.save(new Artifact(event.jobId(), a.name(), event.attempt(), a.contentType(), a.size(),
                    a.sha256(), a.key(), at));
        }
        ended(event.jobId());
    }

    /** QUEUED or RUNNING → {@code status} (FAILED with the worker's reason, or CANCELLED). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void endedByWorker(JobEvent event, JobStatus status, Instant at) {
        if (jobs.markEnded(event.jobId(), event.attempt(), status, status == JobStatus.FAILED ? event.error() : null,
                at) == 0) {
            ignored(event);
            return;
        }
        ended(event.jobId());
    }

    /**
     * An end that changes nothing. When the job has ended, the attempt that sent it ran after the job's cleanup (a
     * dispatch delivered twice: the outbox publishes at least once, and an api process killed between publishing and
     * marking it published leaves it to be published again), and may have stored a checkpoint since: its job is
     * cleaned again. Only an ended job's: a running job's current attempt keeps its checkpoint.
     */
    private void ignored(JobEvent event) {
        log.debug("ignored {} of job {} attempt {}: not the job's current state", event.kind(), event.jobId(),
                event.attempt());
        if (jobs.findById(event.jobId()).map(j -> j.getStatus().isFinal()).orElse(false)) {
            attemptObjects.cleanAfterCommit(event.jobId());
        }
    }

    // --- attempts ---

    /**
     * Ends attempt {@code attempt} without ending the job, unless that ends it: the job goes back to QUEUED as
     * attempt n+1 (which resumes from what the earlier ones left), after a backoff when INTERRUPTED; or, once it has
     * lost {@code maxAttempts} attempts, fails with the reason; or, cancel requested, ends CANCELLED. Every such
     * attempt is recorded ({@link Attempts}). False when {@code attempt} is not the job's current, queued or running
     * attempt (nothing changes then).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public boolean attemptEnded(UUID id, int attempt, String worker, Attempts.Outcome outcome, String reason,
            Instant at) {
        Job job = jobs.findForUpdate(id).orElse(null);
        if (job == null || job.getAttempt() != attempt
                || (job.getStatus() != JobStatus.QUEUED && job.getStatus() != JobStatus.RUNNING)) {
            return false;
        }
        attempts.record(id, new Attempts.Ended(attempt, worker, outcome, reason, at));
        leases.releaseAll(id);
        int failures = job.getFailures() + (outcome == Attempts.Outcome.RELEASED ? 0 : 1);
        if (job.isCancelRequested()) {
            jobs.markEnded(id, attempt, JobStatus.CANCELLED, null, at);
            ended(id);
            return true;
        }
        if (failures >= job.getMaxAttempts()) {
            String why = "attempt " + attempt + " " + outcome.describe() + ": " + reason + " (" + failures + " of "
                    + job.getMaxAttempts() + " attempts lost; no more tries)";
            jobs.markEnded(id, attempt, JobStatus.FAILED, why, at);
            log.warn("job {} failed: {}", id, why);
            ended(id);
            return true;
        }
        jobs.nextAttempt(id, attempt, failures);
        metrics.retried(outcome.name().toLowerCase(java.util.Locale.ROOT));
        Instant notBefore = outcome == Attempts.Outcome.INTERRUPTED ? at.plus(backoff(failures)) : null;
        dispatches.redispatch(jobs.findById(id).orElseThrow(), notBefore);
        log.info("job {} attempt {} {} ({}); attempt {} queued{}", id, attempt, outcome.describe(), reason,
                attempt + 1, notBefore == null ? "" : " for " + notBefore);
        return true;
    }

    /** The first retry waits {@code retryBackoff}, each later one twice as long, up to {@code retryBackoffMax}. */
    Duration backoff(int failures) {
        Duration wait = dispatch.retryBackoff().multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 20));
        return wait.compareTo(dispatch.retryBackoffMax()) > 0 ? dispatch.retryBackoffMax() : wait;
    }

    // --- a client's cancel ---

    /**
     * WAITING or QUEUED → CANCELLED at once (the jobs waiting for it fail); so is a RUNNING job no worker holds a lease
     * on. A RUNNING job a worker holds is asked to stop at its next step (through the outbox, so the answer does not
     * wait for the broker); its worker reports CANCELLED. A final job is a conflict.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void cancel(UUID id) {
        Job job = jobs.findForUpdate(id).orElseThrow(() -> new NotFoundException("no job " + id));
        Instant now = Instant.now();
        if (jobs.cancelQueued(id, now) == 1) {
            // A queued attempt n > 1 may leave a checkpoint of attempt n - 1 behind.
            ended(id);
            return;
        }
        if (jobs.requestCancel(id) == 0) {
            throw new ConflictException("job " + id + " is already " + job.getStatus() + " and cannot be cancelled");
        }
        if (leases.count(id) == 0 && jobs.markEnded(id, job.getAttempt(), JobStatus.CANCELLED, null, now) == 1) {
            ended(id);
        } else {
            outbox.cancel(id, job.getAttempt());
        }
    }

    // --- inputs ---

    /**
     * Job {@code source} ended: each job waiting for it is queued (with its dispatch) once all its inputs succeeded,
     * or failed with the reason when one did not, and so on down the chain.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void inputEnded(UUID source) {
        for (UUID id : inputRows.findWaitingDependents(source)) {
            Job job = jobs.findForUpdate(id).orElseThrow();
            if (job.getStatus() != JobStatus.WAITING) {
                continue;
            }
            List<JobInput> rows = inputRows.findByJobIdOrderByField(id);
            JobInputs.Decision decision = inputs.decide(rows);
            if (decision.status() == JobStatus.QUEUED && jobs.release(id) == 1) {
                List<DispatchMessage.Input> resolved = inputs.resolve(rows);
                jobs.keyResult(id, ResultKey.of(job.getType(), job.spec(), resolved.stream().collect(
                        java.util.stream.Collectors.toMap(DispatchMessage.Input::field, DispatchMessage.Input::sha256))));
                dispatches.dispatch(job, resolved);
                log.info("job {} queued: its inputs are ready", id);
            } else if (decision.status() == JobStatus.FAILED
                    && jobs.failWaiting(id, decision.reason(), Instant.now()) == 1) {
                log.info("job {} failed before running: {}", id, decision.reason());
                ended(id);
            }
        }
    }

    /** What follows every end of a job, whichever way it came: call in the transaction that ended it. */
    private void ended(UUID id) {
        metrics.ended(id);
        leases.releaseAll(id);
        inputEnded(id);
        attemptObjects.cleanAfterCommit(id);
    }
}
