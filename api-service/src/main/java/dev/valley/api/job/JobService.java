package dev.valley.api.job;

import dev.valley.api.artifact.Artifact;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.auth.Caller;
import dev.valley.api.dataset.DatasetService;
import dev.valley.api.dispatch.DispatchProperties;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.NotFoundException;
import dev.valley.model.dataset.DatasetManifest;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobStatus;
import dev.valley.model.job.JobType;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class JobService {
    static final int MAX_NAME = 200;
    static final int MAX_PAGE_SIZE = 200;
    static final int MAX_ATTEMPTS = 20;

    private final JobRepository jobs;
    private final ArtifactRepository artifacts;
    private final JobSpecs specs;
    private final Dispatches dispatches;
    private final GridTiles tiles;
    private final JobLifecycle lifecycle;
    private final DispatchProperties dispatch;
    private final JobInputs inputs;
    private final DatasetService datasets;
    private final JobInputRepository inputRows;
    private final Attempts attempts;
    private final JobEpochs epochs;
    private final long maxListOffset;
    private final UnitChecks units;
    private final Quotas quotas;

    JobService(JobRepository jobs, ArtifactRepository artifacts, JobSpecs specs, Dispatches dispatches,
            JobLifecycle lifecycle, DispatchProperties dispatch, JobInputs inputs, JobInputRepository inputRows,
            GridTiles tiles, Attempts attempts, JobEpochs epochs, DatasetService datasets, UnitChecks units,
            dev.valley.api.web.ApiProperties limits, Quotas quotas) {
        this.quotas = quotas;
        this.units = units;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.specs = specs;
        this.dispatches = dispatches;
        this.lifecycle = lifecycle;
        this.dispatch = dispatch;
        this.inputs = inputs;
        this.inputRows = inputRows;
        this.tiles = tiles;
        this.attempts = attempts;
        this.epochs = epochs;
        this.datasets = datasets;
        this.maxListOffset = limits.maxListOffset();
    }

    /** Validates, then stores the job and its dispatch in one transaction: nothing is stored for a bad request. */
    @Transactional
    public JobView submit(SubmitJobRequest request) {
        JobType type = specs.type(request.type());
        if (request.name() != null && (request.name().isBlank() || request.name().length() > MAX_NAME)) {
            throw new InvalidRequestException("name", "must be 1 to " + MAX_NAME + " characters when given");
        }
        JobLabels.check(request.experiment(), request.tags());
        JobInputs.Plan plan = inputs.plan(specs.parse(type, request.spec()));
        JobSpec spec = plan.spec();
        checkUploadedDataset(spec);
        units.check(spec, plan.model());
        // What it computes is known now when its inputs all succeeded; a waiting job's, when they have.
        String key = plan.decision().status() == JobStatus.QUEUED
                ? ResultKey.of(type, spec, inputs.sha256s(plan.inputs())) : null;
        if (Boolean.TRUE.equals(request.reuse()) && key != null) {
            Optional<Job> done = jobs.findFirstByResultKeyAndStatusOrderByFinishedAtDesc(key, JobStatus.SUCCEEDED);
            if (done.isPresent()) {
                return get(done.get().getId()).asReused();
            }
        }
        Optional<Caller> caller = Caller.current();
        caller.ifPresent(quotas::admit);
        Instant now = Instant.now();
        Job job = new Job(UUID.randomUUID(), type, request.name(), pool(request.resources()),
                maxAttempts(request.resources()), spec, plan.decision().status(), now);
        caller.ifPresent(c -> job.submittedBy(c.name(), c.maxRunning()));
        job.label(request.experiment(), request.tags());
        job.prioritize(priority(request.resources()));
        job.keyResult(key);
        if (plan.decision().status() == JobStatus.FAILED) {
            job.failBeforeRunning(plan.decision().reason(), now);
        }
        jobs.saveAndFlush(job);
        List<JobInput> rows = inputs.record(job.getId(), plan.inputs());
        if (job.getStatus() == JobStatus.QUEUED) {
            dispatches.dispatch(job, inputs.resolve(rows));
        }
        return JobView.of(job, rows, List.of());
    }

    /**
     * Queues the inspection of a TorchScript module just stored ({@link dev.valley.model.job.InspectSpec}), in the
     * caller's transaction; the module's status is this job's outcome. Returns the job's id.
     */
    @Transactional
    public UUID inspect(UUID module, String dataset, String name) {
        dev.valley.model.job.InspectSpec spec = new dev.valley.model.job.InspectSpec(module, dataset);
        Instant now = Instant.now();
        Job job = new Job(UUID.randomUUID(), JobType.INSPECT, name, dispatch.defaultPool(), dispatch.maxAttempts(),
                spec, JobStatus.QUEUED, now);
        job.keyResult(ResultKey.of(JobType.INSPECT, spec, Map.of()));
        jobs.saveAndFlush(job);
        dispatches.dispatch(job, List.of());
        return job.getId();
    }

    /**
     * A spec that names an uploaded dataset: it must exist (and stays locked for share until this submission
     * commits, so that it cannot be deleted under the job), and a convolutional network needs images [C, H, W].
     */
    private void checkUploadedDataset(JobSpec spec) {
        if (!DatasetManifest.isUploaded(spec.dataset())) {
            return;
        }
        DatasetManifest dataset = datasets.findForJob(UUID.fromString(spec.dataset())).orElseThrow(() ->
                new InvalidRequestException("spec.dataset", "no dataset " + spec.dataset()
                        + "; upload one with POST /api/v1/datasets, or name fashion-mnist or spirals"));
        if (spec.model() != null && spec.model().needsImages() && dataset.sampleShape().size() != 3) {
            throw new InvalidRequestException("spec.model.arch", spec.model().arch() + " needs images [channels,"
                    + " height, width]; dataset " + dataset.id() + " has examples of shape " + dataset.sampleShape()
                    + "; use mlp");
        }
    }

    public tools.jackson.databind.JsonNode defaults(String type) {
        return specs.defaults(specs.type(type));
    }

    /** The pool a request names, which must be one of the configured pools; the default pool when it names none. */
    private String pool(SubmitJobRequest.Resources resources) {
        if (resources == null || resources.pool() == null) {
            return dispatch.defaultPool();
        }
        if (!dispatch.allPools().contains(resources.pool())) {
            throw new InvalidRequestException("resources.pool", "unknown pool '" + resources.pool()
                    + "'; this Valley has " + String.join(", ", dispatch.allPools()));
        }
        return resources.pool();
    }

    private static int priority(SubmitJobRequest.Resources resources) {
        if (resources == null || resources.priority() == null) {
            return Job.DEFAULT_PRIORITY;
        }
        if (resources.priority() < 0 || resources.priority() > 9) {
            throw new InvalidRequestException("resources.priority", "must be between 0 and 9");
        }
        return resources.priority();
    }

    private int maxAttempts(SubmitJobRequest.Resources resources) {
        if (resources == null || resources.maxAttempts() == null) {
            return dispatch.maxAttempts();
        }
        if (resources.maxAttempts() < 1 || resources.maxAttempts() > MAX_ATTEMPTS) {
            throw new InvalidRequestException("resources.maxAttempts", "must be between 1 and " + MAX_ATTEMPTS);
        }
        return resources.maxAttempts();
    }

    /** The job's view with its history of epochs. */
    @Transactional(readOnly = true)
    public JobView get(UUID id) {
        return get(id, true);
    }

    /** {@code history}: with the epochs' figures (a stream sends those as events of their own instead). */
    @Transactional(readOnly = true)
    public JobView get(UUID id, boolean history) {
        Job job = find(id);
        JobView.TilesView tileView = null;
        if (job.getType() == JobType.GRID) {
            GridTiles.Count count = tiles.count(id);
            tileView = new JobView.TilesView(count.total(), count.done(), tiles.byWorker(id));
        }
        return JobView.of(job, inputRows.findByJobIdOrderByField(id), artifacts.findByJobIdOrderByName(id), tileView,
                attempts.of(id), history ? epochs.of(id) : null);
    }

    @Transactional(readOnly = true)
    public Page<JobView> list(JobStatus status, String type, String experiment, List<String> tags, int page,
            int size) {
        String tagFilter = dev.valley.model.Json.JSON.writeValueAsString(JobLabels.filter(tags));
        JobType jobType = type == null ? null : JobType.fromWireName(type).orElseThrow(() ->
                new InvalidRequestException("type", "'" + type + "' is not a job type; one of: "
                        + JobType.knownNames()));
        if (page < 0) {
            throw new InvalidRequestException("page", "must be at least 0");
        }
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new InvalidRequestException("size", "must be between 1 and " + MAX_PAGE_SIZE);
        }
        if ((long) page * size > maxListOffset) {
            throw new InvalidRequestException("page", "times size must be at most " + maxListOffset
                    + " (valley.api.max-list-offset); filter by status or type to see further");
        }
        Page<Job> found = jobs.search(status == null ? null : status.name(), jobType == null ? null
                : jobType.wireName(), JobLabels.experimentFilter(experiment), tagFilter, PageRequest.of(page, size));
        // One query for the whole page's artifacts and one for its inputs, not one per job.
        List<UUID> ids = found.map(Job::getId).getContent();
        Map<UUID, List<Artifact>> byJob = artifacts.findByJobIdInOrderByName(ids).stream()
                .collect(Collectors.groupingBy(Artifact::getJobId));
        Map<UUID, List<JobInput>> inputsByJob = inputRows.findByJobIdInOrderByField(ids).stream()
                .collect(Collectors.groupingBy(JobInput::getJobId));
        return found.map(job -> JobView.of(job, inputsByJob.getOrDefault(job.getId(), List.of()),
                byJob.getOrDefault(job.getId(), List.of())));
    }

    /** See {@link JobLifecycle#cancel}. */
    @Transactional
    public JobView cancel(UUID id) {
        lifecycle.cancel(id);
        return get(id);
    }

    Job find(UUID id) {
        return jobs.findById(id).orElseThrow(() -> new NotFoundException("no job " + id));
    }
}
