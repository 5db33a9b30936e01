package dev.valley.api.job;

import dev.valley.api.dispatch.Outbox;
import dev.valley.model.event.JobEvent;
import dev.valley.model.job.GridSpec;
import dev.valley.model.job.GridTile;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobStatus;
import dev.valley.model.job.JobType;
import dev.valley.model.queue.DispatchMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns a job that may run into outbox rows: one dispatch for most jobs; for a grid, one per tile not yet stored,
 * and, in the transaction that records the last tile, one more that assembles them.
 */
@Component
public class Dispatches {
    private static final Logger log = LoggerFactory.getLogger(Dispatches.class);

    private final Outbox outbox;
    private final GridTiles tiles;
    private final JobRepository jobs;
    private final JobInputRepository inputRows;
    private final JobInputs jobInputs;

    Dispatches(Outbox outbox, GridTiles tiles, JobRepository jobs, JobInputRepository inputRows, JobInputs jobInputs) {
        this.outbox = outbox;
        this.tiles = tiles;
        this.jobs = jobs;
        this.inputRows = inputRows;
        this.jobInputs = jobInputs;
    }

    /** Must join the transaction that queued the job. */
    @Transactional(propagation = Propagation.MANDATORY)
    void dispatch(Job job, List<DispatchMessage.Input> inputs) {
        dispatch(job, inputs, null);
    }

    /** The job's current attempt again, its inputs resolved anew, published no earlier than {@code notBefore}. */
    @Transactional(propagation = Propagation.MANDATORY)
    void redispatch(Job job, Instant notBefore) {
        dispatch(job, jobInputs.resolve(inputRows.findByJobIdOrderByField(job.getId())),
                notBefore);
    }

    private void dispatch(Job job, List<DispatchMessage.Input> inputs, Instant notBefore) {
        JobType type = job.getType();
        JobSpec spec = job.spec();
        if (type != JobType.GRID) {
            outbox.enqueue(job.getId(), job.getAttempt(), type, job.getPool(), job.getPriority(), spec, inputs, null,
                    notBefore);
            return;
        }
        List<GridTile> open = tiles.open(job.getId(), ((GridSpec) spec).tiles());
        for (GridTile tile : open) {
            outbox.enqueue(job.getId(), job.getAttempt(), type, job.getPool(), job.getPriority(), spec, inputs, tile,
                    notBefore);
        }
        if (open.isEmpty()) {
            assemble(job);
        }
    }

    /**
     * Records a stored tile and moves progress to tiles done over tiles. A tile of an earlier attempt counts too: its
     * values depend only on the spec, and its object's key on no attempt. The job's row is locked first, so tiles
     * that land at once are counted one after the other and exactly one of them sees the last and queues the
     * assembly.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void onTileDone(JobEvent event, Instant at) {
        Job job = jobs.findForUpdate(event.jobId()).orElse(null);
        if (job == null || event.attempt() > job.getAttempt()
                || (job.getStatus() != JobStatus.QUEUED && job.getStatus() != JobStatus.RUNNING)
                || event.tile() == null || event.artifacts().size() != 1) {
            log.debug("ignored tile {} of job {} attempt {}", event.tile(), event.jobId(), event.attempt());
            return;
        }
        if (!tiles.markDone(job.getId(), event.tile(), event.artifacts().get(0), event.worker(), at)) {
            return;
        }
        GridTiles.Count count = tiles.count(job.getId());
        // The assembly is one more step: progress reaches 1 only when the grid is.
        jobs.recordProgress(job.getId(), job.getAttempt(), (double) count.done() / (count.total() + 1), at);
        if (count.done() == count.total()) {
            assemble(job);
        }
    }

    private void assemble(Job job) {
        UUID id = job.getId();
        List<DispatchMessage.Input> inputs = new ArrayList<>(jobInputs.resolve(inputRows.findByJobIdOrderByField(id)));
        inputs.addAll(tiles.stored(id));
        outbox.enqueue(id, job.getAttempt(), JobType.GRID, job.getPool(), job.getPriority(), job.spec(), inputs, null,
                null);
        log.info("grid {}: every tile stored, assembly queued", id);
    }
}
