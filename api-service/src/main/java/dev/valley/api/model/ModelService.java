package dev.valley.api.model;

import static dev.valley.model.Json.JSON;
import static dev.valley.model.Json.STRICT;

import dev.valley.api.dataset.DatasetService;
import dev.valley.api.upload.UploadStore;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.NotFoundException;
import dev.valley.model.dataset.DatasetManifest;
import dev.valley.model.job.Datasets;
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
 * Uploaded weights: a safetensors file for a registered architecture on a dataset, checked tensor by tensor against
 * the architecture's layout ({@link WeightsFile}), streamed to {@code models/{id}/model.safetensors} with its
 * SHA-256 and then recorded. A refused upload leaves neither object nor row.
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
        if (dataset == null || dataset.isBlank()) {
            throw new InvalidRequestException("dataset", "is required: the dataset the weights were trained on"
                    + " (fashion-mnist, spirals or an uploaded dataset's id)");
        }
        long[] shape;
        int classes;
        if (DatasetManifest.isUploaded(dataset)) {
            DatasetManifest d = datasets.find(UUID.fromString(dataset)).orElseThrow(() ->
                    new InvalidRequestException("dataset", "no dataset " + dataset));
            shape = d.sampleShape().stream().mapToLong(Long::longValue).toArray();
            classes = d.classes();
        } else {
            shape = Datasets.sampleShape(dataset);
            classes = Datasets.classes(dataset);
            if (shape == null) {
                throw new InvalidRequestException("dataset", "'" + dataset + "' is not a dataset: fashion-mnist,"
                        + " spirals or an uploaded dataset's id");
            }
        }
        if (name != null && (name.isBlank() || name.length() > 200)) {
            throw new InvalidRequestException("name", "must be 1 to 200 characters");
        }
        if (file == null || file.isEmpty()) {
            throw new InvalidRequestException("file", file == null ? "is required: the safetensors file"
                    : "is empty");
        }
        List<ModelLayout.Tensor> layout;
        try {
            layout = ModelLayout.of(spec, shape, classes);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("model", e.getMessage());
        }
        UUID id = UUID.randomUUID();
        Path dir = UploadStore.temporaryFolder("model");
        String key = "models/" + id + "/model.safetensors";
        boolean recorded = false;
        try {
            Path spooled = dir.resolve("model.safetensors");
            file.transferTo(spooled);
            WeightsFile.check(spooled, layout);
            UploadStore.Stored stored = store.put(key, spooled);
            UploadedModel uploaded = new UploadedModel(id, name, spec, dataset, key, stored.size(), stored.sha256(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS));
            db.sql("""
                    insert into uploaded_model (id, name, model, dataset, object_key, size, sha256, created_at)
                    values (?, ?, ?::jsonb, ?, ?, ?, ?, ?)""")
                    .params(id, name, JSON.writeValueAsString(spec), dataset, key, stored.size(), stored.sha256(),
                            Timestamp.from(uploaded.createdAt()))
                    .update();
            recorded = true;
            log.info("model {} stored: {} for {}, {} bytes", id, spec.arch(), dataset, stored.size());
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

    public List<UploadedModel> list() {
        return db.sql("select * from uploaded_model order by created_at desc").query(this::row).list();
    }

    public UploadedModel get(UUID id) {
        return find(id).orElseThrow(() -> new NotFoundException("no model " + id));
    }

    public Optional<UploadedModel> find(UUID id) {
        return db.sql("select * from uploaded_model where id = ?").param(id).query(this::row).optional();
    }

    private UploadedModel row(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new UploadedModel(rs.getObject("id", UUID.class), rs.getString("name"),
                JSON.readValue(rs.getString("model"), ModelSpec.class), rs.getString("dataset"),
                rs.getString("object_key"), rs.getLong("size"), rs.getString("sha256"),
                rs.getTimestamp("created_at").toInstant());
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
