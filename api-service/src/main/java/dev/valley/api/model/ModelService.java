package dev.valley.api.model;

import static dev.valley.model.Json.JSON;
import static dev.valley.model.Json.STRICT;

import dev.valley.api.dataset.DatasetService;
import dev.valley.api.upload.UploadStore;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.NotFoundException;
import dev.valley.model.dataset.DatasetManifest;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.layout.ModelLayout;
import dev.valley.model.upload.WeightsFile;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.core.JacksonException;

/**
 * Uploaded networks. Weights: a safetensors file for a registered architecture on a dataset, checked tensor by
 * tensor against the architecture's layout ({@link WeightsFile}), streamed to {@code models/{id}/model.safetensors}
 * with its SHA-256 and then recorded. A TorchScript module: see {@link TorchScriptUploads}. A refused upload leaves
 * neither object nor row.
 */
@Service
public class ModelService {
    private static final Logger log = LoggerFactory.getLogger(ModelService.class);

    private final JdbcClient db;
    private final UploadStore store;
    private final DatasetService datasets;
    private final Validator validator;

    ModelService(JdbcClient db, UploadStore store, DatasetService datasets, Validator validator) {
        this.db = db;
        this.store = store;
        this.datasets = datasets;
        this.validator = validator;
    }

    public UploadedModel upload(String name, String model, String dataset, MultipartFile file) {
        ModelSpec spec = parse(model);
        DatasetService.Examples target = target(dataset, name, file, "the safetensors file");
        long[] shape = target.shape();
        int classes = target.classes();
        List<ModelLayout.Tensor> layout;
        try {
            layout = ModelLayout.of(spec, shape, classes);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("model", e.getMessage());
        }
        UploadedModel uploaded = store(file, "model.safetensors", spooled -> WeightsFile.check(spooled, layout),
                (id, key, stored) -> record(new UploadedModel(id, name, UploadedModel.SAFETENSORS,
                        UploadedModel.Status.READY, spec, dataset, key, stored.size(), stored.sha256(),
                        Instant.now().truncatedTo(ChronoUnit.MICROS), null, null, null)));
        log.info("model {} stored: {} for {}, {} bytes", uploaded.id(), spec.arch(), dataset, uploaded.size());
        return uploaded;
    }

    /** Records an upload whose file is stored as {@code key} under the new model's {@code id}. */
    interface Recorder {
        UploadedModel record(UUID id, String key, UploadStore.Stored stored);
    }

    /**
     * Spools {@code file} to a temporary folder, checks it ({@code check} throws to refuse it), stores it as
     * {@code models/{id}/{name}} and records it: a refused or unrecorded upload leaves neither object nor file.
     */
    UploadedModel store(MultipartFile file, String name, java.util.function.Consumer<Path> check, Recorder recorder) {
        UUID id = UUID.randomUUID();
        Path dir = UploadStore.temporaryFolder("model");
        String key = "models/" + id + "/" + name;
        boolean recorded = false;
        try {
            Path spooled = dir.resolve(name);
            file.transferTo(spooled);
            check.accept(spooled);
            UploadedModel uploaded = recorder.record(id, key, store.put(key, spooled));
            recorded = true;
            return uploaded;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!recorded) {
                store.delete(key);
            }
            UploadStore.deleteTree(dir);
        }
    }

    /** The dataset an upload names, its sample shape and classes, after the checks every upload shares. */
    DatasetService.Examples target(String dataset, String name, MultipartFile file, String fileIs) {
        if (dataset == null || dataset.isBlank()) {
            throw new InvalidRequestException("dataset", "is required: the dataset the network is for"
                    + " (fashion-mnist, spirals or an uploaded dataset's id)");
        }
        DatasetService.Examples target = datasets.examples(dataset).orElseThrow(() -> new InvalidRequestException(
                "dataset", DatasetManifest.isUploaded(dataset) ? "no dataset " + dataset : "'" + dataset
                        + "' is not a dataset: fashion-mnist, spirals or an uploaded dataset's id"));
        if (name != null && (name.isBlank() || name.length() > 200)) {
            throw new InvalidRequestException("name", "must be 1 to 200 characters");
        }
        if (file == null || file.isEmpty()) {
            throw new InvalidRequestException("file", file == null ? "is required: " + fileIs : "is empty");
        }
        return target;
    }

    /** Stores the model's row; its object is stored already. */
    UploadedModel record(UploadedModel m) {
        db.sql("""
                insert into uploaded_model (id, name, format, model, dataset, object_key, size, sha256, created_at,
                    inspect_job)
                values (?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)""")
                .params(m.id(), m.name(), m.format(), JSON.writeValueAsString(m.model()), m.dataset(), m.key(),
                        m.size(), m.sha256(), Timestamp.from(m.createdAt()), m.inspectJob())
                .update();
        return m;
    }

    private static final String SELECT = """
            select m.*, j.status as job_status, j.result as job_result, j.error as job_error
            from uploaded_model m left join job j on j.id = m.inspect_job""";

    public List<UploadedModel> list() {
        return db.sql(SELECT + " order by m.created_at desc").query(this::row).list();
    }

    public UploadedModel get(UUID id) {
        return find(id).orElseThrow(() -> new NotFoundException("no model " + id));
    }

    public Optional<UploadedModel> find(UUID id) {
        return db.sql(SELECT + " where m.id = ?").param(id).query(this::row).optional();
    }

    /** A module's status is its inspect job's: READY when it succeeded, INVALID when it failed or was cancelled. */
    private UploadedModel row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        UUID inspectJob = rs.getObject("inspect_job", UUID.class);
        String jobStatus = rs.getString("job_status");
        UploadedModel.Status status = inspectJob == null ? UploadedModel.Status.READY : switch (jobStatus) {
            case "SUCCEEDED" -> UploadedModel.Status.READY;
            case "FAILED", "CANCELLED" -> UploadedModel.Status.INVALID;
            default -> UploadedModel.Status.PENDING;
        };
        String result = rs.getString("job_result");
        String error = status != UploadedModel.Status.INVALID ? null
                : "CANCELLED".equals(jobStatus) ? "its inspection was cancelled" : rs.getString("job_error");
        return new UploadedModel(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("format"),
                status, JSON.readValue(rs.getString("model"), ModelSpec.class), rs.getString("dataset"),
                rs.getString("object_key"), rs.getLong("size"), rs.getString("sha256"),
                rs.getTimestamp("created_at").toInstant(), inspectJob,
                result == null || status != UploadedModel.Status.READY ? null
                        : JSON.readValue(result, dev.valley.model.job.InspectResult.class), error);
    }

    private ModelSpec parse(String model) {
        if (model == null || model.isBlank()) {
            throw new InvalidRequestException("model", "is required: the architecture as JSON, such as"
                    + " {\"arch\":\"mlp\",\"hidden\":[32]}");
        }
        ModelSpec spec;
        try {
            spec = STRICT.readValue(model, ModelSpec.class);
        } catch (JacksonException e) {
            throw new InvalidRequestException("model", "is not a model spec: " + e.getOriginalMessage());
        }
        if (spec == null) {
            throw new InvalidRequestException("model", "is required");
        }
        if (spec.isTorchScript()) {
            throw new InvalidRequestException("model", "a TorchScript module is uploaded as the archive itself, with"
                    + " format=torchscript and no model field");
        }
        ModelSpec filled = spec.withDefaults();
        var violations = validator.validate(filled);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException(violations.stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .map(v -> new InvalidRequestException.FieldError("model." + v.getPropertyPath(), v.getMessage()))
                    .toList());
        }
        return filled;
    }
}
