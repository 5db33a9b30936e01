package dev.valley.api.job;


import dev.valley.api.artifact.Artifact;
import dev.valley.api.artifact.ArtifactRepository;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.InvalidRequestException.FieldError;
import dev.valley.api.model.ModelService;
import dev.valley.api.model.UploadedModel;
import dev.valley.model.artifact.ArtifactKeys;
import dev.valley.model.job.CurveSpec;
import dev.valley.model.job.JobSpec;
import dev.valley.model.job.JobStatus;
import dev.valley.model.job.JobType;
import dev.valley.model.job.ModelRef;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.queue.DispatchMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Jobs that read other jobs' weights: checks the references when a job is submitted (each names a job that makes
 * a network, all of one architecture), decides whether the job can be queued, must wait or has already failed,
 * and resolves the references into object keys for the dispatch.
 */
@Component
public class JobInputs {

    private final JobRepository jobs;
    private final JobInputRepository inputs;
    private final ArtifactRepository artifacts;
    private final ModelService models;

    JobInputs(JobRepository jobs, JobInputRepository inputs, ArtifactRepository artifacts, ModelService models) {
        this.jobs = jobs;
        this.inputs = inputs;
        this.artifacts = artifacts;
        this.models = models;
    }

    /** The network a job's weights are for. */
    record Origin(ModelSpec model, String dataset) {
    }

    /** Where a job stands with respect to its inputs; {@code reason} says why it failed. */
    record Decision(JobStatus status, String reason) {
    }

    /**
     * A checked submission: the spec with what the inputs imply filled in, its first status, and what it reads by
     * spec field ({@link #inputRefs}), looked up once for the submission; {@code model}: the inputs' network, null
     * when the job reads none.
     */
    record Plan(JobSpec spec, Decision decision, Map<String, ModelRef> inputs, ModelSpec model) {
    }

    /** The network an align job makes. */
    static final String ALIGNED = "aligned.safetensors";

    /** The spec field under which a job whose network is a TorchScript module reads it (its inspect job's). */
    static final String MODULE_FIELD = "model.module";

    /**
     * What a job reads, by spec field: the networks its spec names and, where its network is a TorchScript module,
     * the module as {@value #MODULE_FIELD}. A module's network and {@code {"model": id}} of a module are its
     * inspect job's {@code model.safetensors} (the archive's own weights), so that a job waits for a PENDING module
     * as it waits for a running job. An unknown or INVALID module is an error.
     */
    private Map<String, ModelRef> inputRefs(JobSpec spec, List<FieldError> errors) {
        Map<String, ModelRef> refs = new java.util.LinkedHashMap<>();
        spec.modelRefs().forEach((field, ref) -> {
            if (ref.isUploaded()) {
                Optional<UploadedModel> m = models.find(ref.model());
                if (m.isPresent() && m.get().isTorchScript()) {
                    if (m.get().status() == UploadedModel.Status.INVALID) {
                        errors.add(new FieldError("spec." + field + ".model", "module " + ref.model()
                                + " is INVALID: " + m.get().error()));
                        return;
                    }
                    ref = new ModelRef(m.get().inspectJob(), ArtifactKeys.MODEL);
                }
            }
            refs.put(field, ref);
        });
        addModule(spec, refs, errors);
        return refs;
    }

    /** {@value #MODULE_FIELD}, where the spec's network is a TorchScript module and it is not there yet. */
    private void addModule(JobSpec spec, Map<String, ModelRef> refs, List<FieldError> errors) {
        ModelSpec model = spec.model();
        if (model == null || !model.isTorchScript() || spec instanceof dev.valley.model.job.InspectSpec
                || refs.containsKey(MODULE_FIELD)) {
            return;
        }
        String field = "spec." + MODULE_FIELD;
        Optional<UploadedModel> m = models.find(model.module());
        if (m.isEmpty()) {
            errors.add(new FieldError(field, "no module " + model.module()
                    + "; upload one with POST /api/v1/models (format=torchscript)"));
        } else if (!m.get().isTorchScript()) {
            errors.add(new FieldError(field, "model " + model.module() + " is safetensors weights for "
                    + m.get().model().arch() + ", not a TorchScript module"));
        } else if (m.get().status() == UploadedModel.Status.INVALID) {
            errors.add(new FieldError(field, "module " + model.module() + " is INVALID: " + m.get().error()));
        } else {
            refs.put(MODULE_FIELD, new ModelRef(m.get().inspectJob(), ArtifactKeys.MODEL));
        }
    }

    /** Must run in the submitting transaction: the inputs stay locked for share until it commits. */
    Plan plan(JobSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, ModelRef> refs = inputRefs(spec, errors);
        if (refs.isEmpty()) {
            if (!errors.isEmpty()) {
                throw new InvalidRequestException(errors);
            }
            return new Plan(spec, new Decision(JobStatus.QUEUED, null), refs, null);
        }
        List<UUID> sourceJobs = refs.values().stream().map(ModelRef::job).filter(java.util.Objects::nonNull).toList();
        Map<UUID, Job> sources = (sourceJobs.isEmpty() ? List.<Job>of() : jobs.findAllForShare(sourceJobs)).stream()
                .collect(Collectors.toMap(Job::getId, Function.identity()));
        // {"job": id} of an align job names its network, the aligned target.
        refs.replaceAll((field, ref) -> ref.job() != null && ArtifactKeys.MODEL.equals(ref.artifact())
                && sources.containsKey(ref.job()) && sources.get(ref.job()).getType() == JobType.ALIGN
                ? new ModelRef(ref.job(), ALIGNED) : ref);
        Origin first = null;
        String firstField = null;
        for (Map.Entry<String, ModelRef> entry : refs.entrySet()) {
            String field = "spec." + entry.getKey();
            ModelRef ref = entry.getValue();
            Optional<Origin> origin;
            if (ref.isUploaded()) {
                Optional<UploadedModel> uploaded = models.find(ref.model());
                if (uploaded.isEmpty()) {
                    errors.add(new FieldError(field + ".model", "no model " + ref.model()));
                    continue;
                }
                JobType takes = spec.takesJob(entry.getKey());
                if (takes != null) {
                    String plane = takes == JobType.TRAIN ? "trajectory" : takes.wireName();
                    errors.add(new FieldError(field + ".model", "model " + ref.model() + " is one network; a "
                            + plane + " plane needs a " + takes.wireName() + " job"));
                    continue;
                }
                origin = Optional.of(new Origin(uploaded.get().model(), uploaded.get().dataset()));
            } else {
                origin = jobOrigin(ref, field, sources, spec.takesJob(entry.getKey()), errors);
                if (origin == null) {
                    continue;
                }
            }
            if (first == null) {
                first = origin.get();
                firstField = field;
                continue;
            }
            List<String> differences = new ArrayList<>(origin.get().model().differencesFrom(first.model()));
            if (!origin.get().dataset().equals(first.dataset())) {
                differences.add("dataset is " + origin.get().dataset() + " here and " + first.dataset() + " there");
            }
            if (!differences.isEmpty()) {
                errors.add(new FieldError(field, "has a different architecture from " + firstField + ": "
                        + String.join("; ", differences)));
            }
        }
        checkSimplexVertices(spec, refs, sources, errors);
        JobSpec filled = spec;
        if (first != null) {
            if (spec.dataset() != null && !spec.dataset().equals(first.dataset())) {
                errors.add(new FieldError("spec.dataset", "must be " + first.dataset()
                        + ", the dataset whose inputs " + firstField + " takes"));
            }
            filled = spec.withInputs(first.model(), first.dataset());
            checkGridMetrics(filled, errors);
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        Decision decision = decide(refs, sources::get);
        // A network its inputs imply is read too: the module of a curve between a module's trainings. Its inspect
        // job succeeded, or the inputs that come from it wait for it.
        Map<String, ModelRef> read = new java.util.LinkedHashMap<>(refs);
        addModule(filled, read, errors);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new Plan(filled, decision, read, first == null ? null : first.model());
    }

    /** A regression dataset has no accuracy for a grid to map. */
    private static void checkGridMetrics(JobSpec spec, List<FieldError> errors) {
        if (spec instanceof dev.valley.model.job.GridSpec grid && grid.dataset() != null
                && dev.valley.model.job.Datasets.isRegression(grid.dataset())) {
            List<String> accuracies = grid.metrics().stream().filter(m -> m.endsWith("_accuracy")).toList();
            if (!accuracies.isEmpty()) {
                errors.add(new FieldError("spec.metrics", grid.dataset() + " is a regression and has no accuracy ("
                        + String.join(", ", accuracies) + "): name train_loss or test_loss, its mean squared error"));
            }
        }
    }

    /** A simplex plane's vertices must be among those of its simplex job: the fixed ones, then the trained. */
    private static void checkSimplexVertices(JobSpec spec, Map<String, ModelRef> refs, Map<UUID, Job> sources,
            List<FieldError> errors) {
        if (!(spec instanceof dev.valley.model.job.GridSpec grid) || !grid.plane().isSimplexPlane()) {
            return;
        }
        ModelRef ref = refs.get(dev.valley.model.job.GridSpec.SIMPLEX_FIELD);
        Job source = ref == null || ref.job() == null ? null : sources.get(ref.job());
        if (source == null || source.getType() != JobType.SIMPLEX) {
            return; // refused where the inputs are checked
        }
        dev.valley.model.job.SimplexSpec simplex = (dev.valley.model.job.SimplexSpec) source.spec();
        int count = simplex.fixedFields().size() + simplex.vertices();
        for (int v : grid.plane().vertices()) {
            if (v >= count) {
                errors.add(new FieldError("spec.plane.vertices", "vertex " + v + " is out of range: simplex job "
                        + source.getId() + " has " + count + " vertices (0 to " + (count - 1) + ")"));
                return;
            }
        }
    }

    /** The origin of another job's weights, checked; null (with the errors added) when the ref cannot be used. */
    private Optional<Origin> jobOrigin(ModelRef ref, String field, Map<UUID, Job> sources, JobType takes,
            List<FieldError> errors) {
        Job source = sources.get(ref.job());
        if (source == null) {
            errors.add(new FieldError(field + ".job", "no job " + ref.job()));
            return null;
        }
        JobType type = source.getType();
        boolean several = type == JobType.CURVE || type == JobType.SIMPLEX || type == JobType.HESSIAN;
        if (takes == null && several) {
            errors.add(new FieldError(field + ".job", "job " + ref.job() + " is a " + type.wireName() + " job, which"
                    + " makes no single network; name a train or swa job"));
            return null;
        }
        if (takes != null && type != takes) {
            errors.add(new FieldError(field + ".job", "job " + ref.job() + " is a " + type.wireName() + " job; name a "
                    + takes.wireName() + " job"));
            return null;
        }
        if (takes == JobType.TRAIN && ((dev.valley.model.job.TrainSpec) source.spec()).trajectory() == null) {
            errors.add(new FieldError(field + ".job", "train job " + ref.job() + " kept no trajectory; train with"
                    + " \"trajectory\": k (its weights every k epochs) for a trajectory plane"));
            return null;
        }
        if (type == JobType.HESSIAN && ((dev.valley.model.job.HessianSpec) source.spec()).top() < 2) {
            errors.add(new FieldError(field + ".job", "hessian job " + ref.job() + " found 1 eigenvector (top 1); a"
                    + " hessian plane needs top 2 or more"));
            return null;
        }
        if (type == JobType.CURVE && takes == JobType.CURVE && ref.artifact() != null
                && ref.artifact().equals(CurveSpec.HISTORY_ARTIFACT)
                && ((CurveSpec) source.spec()).snapshotEvery() == null) {
            errors.add(new FieldError(field + ".job", "curve job " + ref.job() + " kept no snapshots; fit it with"
                    + " \"snapshots\": \"epochs\" (or every k epochs) for a grid's frames"));
            return null;
        }
        if (type == JobType.CURVE) {
            int bends = ((CurveSpec) source.spec()).bends();
            if (bends != 3) {
                errors.add(new FieldError(field + ".job", "curve job " + ref.job() + " has " + bends
                        + " bends; a curve plane needs 3 (two endpoints and one bend)"));
                return null;
            }
        }
        Optional<Origin> origin = origin(source);
        if (origin.isEmpty()) {
            errors.add(new FieldError(field + ".job", "job " + ref.job() + " is a " + source.getType().wireName()
                    + " job, which makes no network to start from; name a train or swa job"));
            return null;
        }
        if (source.getStatus() == JobStatus.SUCCEEDED && artifact(ref).isEmpty()) {
            errors.add(new FieldError(field + ".artifact", "job " + ref.job() + " has no artifact "
                    + ref.artifact()));
        }
        return origin;
    }

    /** Stores the job's input rows ({@link Plan#inputs}) and returns them, in the order of their fields. */
    List<JobInput> record(UUID jobId, Map<String, ModelRef> refs) {
        List<JobInput> rows = new ArrayList<>();
        refs.forEach((field, ref) -> rows.add(inputs.save(ref.isUploaded()
                ? new JobInput(jobId, field, null, ArtifactKeys.MODEL, ref.model())
                : new JobInput(jobId, field, ref.job(), ref.artifact(), null))));
        rows.sort(java.util.Comparator.comparing(JobInput::getField));
        return rows;
    }

    /** Queued when every input succeeded with its artifact; failed when one failed, was cancelled or lacks the
     * artifact; waiting otherwise. */
    Decision decide(List<JobInput> rows) {
        Map<String, ModelRef> refs = new java.util.LinkedHashMap<>();
        rows.forEach(r -> refs.put(r.getField(), r.ref()));
        return decide(refs, id -> jobs.findById(id).orElseThrow());
    }

    private Decision decide(Map<String, ModelRef> refs, Function<UUID, Job> lookup) {
        boolean waiting = false;
        for (Map.Entry<String, ModelRef> entry : refs.entrySet()) {
            if (entry.getValue().isUploaded()) {
                continue; // stored before it was recorded: always ready
            }
            Job source = lookup.apply(entry.getValue().job());
            String named = entry.getKey() + " (job " + source.getId() + ")";
            switch (source.getStatus()) {
                case FAILED -> {
                    return new Decision(JobStatus.FAILED, named + " failed: " + source.getError());
                }
                case CANCELLED -> {
                    return new Decision(JobStatus.FAILED, named + " was cancelled");
                }
                case SUCCEEDED -> {
                    if (artifact(entry.getValue()).isEmpty()) {
                        return new Decision(JobStatus.FAILED, named + " finished without the artifact "
                                + entry.getValue().artifact());
                    }
                }
                default -> waiting = true;
            }
        }
        return new Decision(waiting ? JobStatus.WAITING : JobStatus.QUEUED, null);
    }

    /** Each input's spec field to the SHA-256 of what it reads ({@link Plan#inputs}), once they all succeeded. */
    Map<String, String> sha256s(Map<String, ModelRef> refs) {
        Map<String, String> shas = new java.util.TreeMap<>();
        refs.forEach((field, ref) -> shas.put(field, ref.model() != null
                ? models.get(ref.model()).sha256() : artifact(ref).orElseThrow().getSha256()));
        return shas;
    }

    /** The dispatch's inputs of a job whose inputs ({@code rows}) all succeeded. */
    List<DispatchMessage.Input> resolve(List<JobInput> rows) {
        List<DispatchMessage.Input> resolved = new ArrayList<>();
        for (JobInput row : rows) {
            if (row.getSourceModelId() != null) {
                UploadedModel m = models.get(row.getSourceModelId());
                resolved.add(new DispatchMessage.Input(row.getField(), m.id(), "uploaded model " + m.id(), m.key(),
                        m.sha256(), m.size(), m.model(), m.dataset()));
                continue;
            }
            Job source = jobs.findById(row.getSourceJobId()).orElseThrow();
            Origin origin = origin(source).orElseThrow();
            Artifact a = artifact(new ModelRef(row.getSourceJobId(), row.getArtifact())).orElseThrow();
            resolved.add(new DispatchMessage.Input(row.getField(), source.getId(), a.getName(), a.getObjectKey(),
                    a.getSha256(), a.getSize(), origin.model(), origin.dataset()));
        }
        return resolved;
    }

    private Optional<Artifact> artifact(ModelRef ref) {
        return artifacts.findByJobIdAndName(ref.job(), ref.artifact());
    }

    /** The network a job's weights are for, when it makes one; a curve's bends and a simplex's vertices are its
     * inputs' network. */
    Optional<Origin> origin(Job job) {
        if (job.getType() == JobType.CURVE || job.getType() == JobType.SIMPLEX) {
            List<JobInput> endpoints = inputs.findByJobIdOrderByField(job.getId());
            if (endpoints.isEmpty()) {
                return Optional.empty();
            }
            JobInput first = endpoints.get(0);
            return first.getSourceModelId() != null ? models.find(first.getSourceModelId())
                    .map(m -> new Origin(m.model(), m.dataset()))
                    : jobs.findById(first.getSourceJobId()).flatMap(this::origin);
        }
        if (job.getType() == JobType.TRAIN || job.getType() == JobType.SWA || job.getType() == JobType.INSPECT
                || job.getType() == JobType.ALIGN || job.getType() == JobType.HESSIAN) {
            JobSpec spec = job.spec();
            return Optional.of(new Origin(spec.model().withDefaults(), spec.dataset()));
        }
        return Optional.empty();
    }
}
