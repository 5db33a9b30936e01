package dev.valley.api.dataset;

import static dev.valley.model.Json.JSON;

import dev.valley.api.upload.UploadStore;
import dev.valley.api.web.ApiProperties;
import dev.valley.api.web.ConflictException;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.api.web.NotFoundException;
import dev.valley.model.dataset.DatasetFormat;
import dev.valley.model.dataset.DatasetManifest;
import dev.valley.model.dataset.DatasetReader;
import dev.valley.model.dataset.UploadLimits;
import dev.valley.model.upload.InvalidUploadException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.multipart.MultipartFile;

/**
 * Uploaded datasets. An upload is spooled to disk by the servlet container, read once to check it (in constant
 * memory and within {@link ApiProperties}, {@link DatasetReader}), streamed to storage under {@code datasets/{id}/} with its SHA-256, described by a
 * {@code manifest.json} there, and only then recorded. Any failure removes what it had stored: no object and no row
 * is left of a refused upload.
 */
@Service
public class DatasetService {
    private static final Logger log = LoggerFactory.getLogger(DatasetService.class);

    private final JdbcClient db;
    private final UploadStore store;
    private final UploadLimits limits;

    DatasetService(JdbcClient db, UploadStore store, ApiProperties limits) {
        this.db = db;
        this.store = store;
        this.limits = limits.uploads();
    }

    /** The form of an upload, before its files are read. */
    public record Upload(String format, String name, String labelColumn, Double testFraction, Long seed,
            Map<String, MultipartFile> files) {
    }

    public DatasetManifest upload(Upload upload) {
        DatasetFormat format = checkForm(upload);
        UUID id = UUID.randomUUID();
        Path dir = UploadStore.temporaryFolder("dataset");
        List<String> stored = new ArrayList<>();
        try {
            Map<String, Path> parts = new LinkedHashMap<>();
            for (String part : format.allParts()) {
                MultipartFile file = upload.files().get(part);
                if (file != null) {
                    Path path = dir.resolve(part);
                    file.transferTo(path);
                    parts.put(part, path);
                }
            }
            DatasetReader.Read train = DatasetReader.read(format, parts, false, upload.labelColumn(), limits,
                    DatasetReader.DISCARD);
            DatasetReader.Read test = DatasetReader.read(format, parts, true, upload.labelColumn(), limits,
                    DatasetReader.DISCARD);
            DatasetManifest manifest = describe(id, upload, format, parts, train, test);
            List<DatasetManifest.StoredFile> files = new ArrayList<>();
            for (Map.Entry<String, Path> part : parts.entrySet()) {
                String key = DatasetManifest.key(id, part.getKey());
                stored.add(key);
                UploadStore.Stored object = store.put(key, part.getValue());
                files.add(new DatasetManifest.StoredFile(part.getKey(), key, object.size(), object.sha256()));
            }
            DatasetManifest complete = manifest.withFiles(files);
            String manifestKey = DatasetManifest.key(id, DatasetManifest.MANIFEST);
            stored.add(manifestKey);
            store.putJson(manifestKey, JSON.writeValueAsBytes(complete));
            db.sql("insert into dataset (id, name, format, manifest, created_at) values (?, ?, ?, ?::jsonb, ?)")
                    .params(id, complete.name(), complete.format(), JSON.writeValueAsString(complete),
                            Timestamp.from(complete.createdAt()))
                    .update();
            stored.clear();
            log.info("dataset {} ({}) stored: {} train and {} test examples of shape {}, {} classes", id,
                    format.wireName(), complete.train(), complete.test(), complete.sampleShape(), complete.classes());
            return complete;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stored.forEach(store::delete);
            UploadStore.deleteTree(dir);
        }
    }

    public List<DatasetManifest> list() {
        return db.sql("select manifest from dataset order by created_at desc")
                .query(DatasetService::manifest).list();
    }

    /** A row of {@code select manifest …}. */
    private static DatasetManifest manifest(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return JSON.readValue(rs.getString(1), DatasetManifest.class);
    }

    public DatasetManifest get(UUID id) {
        return find(id).orElseThrow(() -> new NotFoundException("no dataset " + id));
    }

    public Optional<DatasetManifest> find(UUID id) {
        return db.sql("select manifest from dataset where id = ?").param(id)
                .query(DatasetService::manifest).optional();
    }

    /** What a network for a dataset sees: one example's shape, and the number of classes. */
    public record Examples(long[] shape, int classes) {
    }

    /** The examples of a built-in dataset (by name) or an uploaded one (by id); empty when there is no such one. */
    public Optional<Examples> examples(String dataset) {
        if (DatasetManifest.isUploaded(dataset)) {
            return find(UUID.fromString(dataset)).map(d -> new Examples(
                    d.sampleShape().stream().mapToLong(Long::longValue).toArray(), d.classes()));
        }
        long[] shape = dev.valley.model.job.Datasets.sampleShape(dataset);
        return shape == null ? Optional.empty()
                : Optional.of(new Examples(shape, dev.valley.model.job.Datasets.classes(dataset)));
    }

    /**
     * The dataset a job is being submitted with, locked for share until the submission commits (a delete waits for
     * it, and then sees the job).
     */
    @Transactional(propagation = org.springframework.transaction.annotation.Propagation.MANDATORY)
    public Optional<DatasetManifest> findForJob(UUID id) {
        return db.sql("select manifest from dataset where id = ? for share").param(id)
                .query(DatasetService::manifest).optional();
    }

    /** Refused (409) while a job that has not ended names the dataset; its files go once the delete commits. */
    @Transactional
    public void delete(UUID id) {
        if (db.sql("select id from dataset where id = ? for update").param(id).query(UUID.class).optional()
                .isEmpty()) {
            throw new NotFoundException("no dataset " + id);
        }
        List<UUID> users = db.sql("""
                select id from job where spec ->> 'dataset' = ? and status in ('WAITING', 'QUEUED', 'RUNNING')
                order by created_at limit 5""").param(id.toString()).query(UUID.class).list();
        if (!users.isEmpty()) {
            throw new ConflictException("dataset " + id + " is in use by " + (users.size() == 5 ? "at least 5 jobs"
                    : users.size() + " job" + (users.size() == 1 ? "" : "s")) + " that have not ended: " + users
                    + "; cancel them or wait for them to end");
        }
        db.sql("delete from dataset where id = ?").param(id).update();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                store.deleteAll(DatasetManifest.prefix(id));
                log.info("dataset {} deleted", id);
            }
        });
    }

    private static DatasetFormat checkForm(Upload upload) {
        if (upload.format() == null) {
            throw new InvalidRequestException("format", "is required; one of: " + DatasetFormat.knownNames());
        }
        DatasetFormat format = DatasetFormat.fromWireName(upload.format()).orElseThrow(() ->
                new InvalidRequestException("format", "'" + upload.format() + "' is not a dataset format; one of: "
                        + DatasetFormat.knownNames()));
        List<InvalidRequestException.FieldError> errors = new ArrayList<>();
        for (String part : upload.files().keySet()) {
            if (!format.allParts().contains(part)) {
                errors.add(new InvalidRequestException.FieldError(part, "is not a file of a " + format.wireName()
                        + " dataset; its files are " + String.join(", ", format.allParts())));
            }
        }
        for (String part : format.trainParts()) {
            MultipartFile file = upload.files().get(part);
            if (file == null || file.isEmpty()) {
                errors.add(new InvalidRequestException.FieldError(part, file == null ? "is required" : "is empty"));
            }
        }
        long testGiven = format.testParts().stream().filter(upload.files()::containsKey).count();
        if (testGiven != 0 && testGiven != format.testParts().size()) {
            errors.add(new InvalidRequestException.FieldError(String.join(", ", format.testParts()),
                    "give all of the test files or none (then testFraction of the training examples is held out)"));
        }
        if (upload.testFraction() != null && !(upload.testFraction() > 0 && upload.testFraction() < 1)) {
            errors.add(new InvalidRequestException.FieldError("testFraction", "must be in (0, 1)"));
        }
        if (upload.name() != null && (upload.name().isBlank() || upload.name().length() > 200)) {
            errors.add(new InvalidRequestException.FieldError("name", "must be 1 to 200 characters"));
        }
        if (upload.labelColumn() != null && format != DatasetFormat.CSV) {
            errors.add(new InvalidRequestException.FieldError("labelColumn", "applies to csv datasets only"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return format;
    }

    private static DatasetManifest describe(UUID id, Upload upload, DatasetFormat format, Map<String, Path> parts,
            DatasetReader.Read train, DatasetReader.Read test) {
        if (test != null && !Arrays.equals(test.sampleShape(), train.sampleShape())) {
            throw new InvalidUploadException("the test examples have shape " + Arrays.toString(test.sampleShape())
                    + " and the training examples " + Arrays.toString(train.sampleShape()));
        }
        if (test != null && upload.testFraction() != null) {
            throw new InvalidRequestException("testFraction", "applies only when no test files are given");
        }
        int classes = Math.max(train.classes(), test == null ? 0 : test.classes());
        if (classes < 2) {
            throw new InvalidUploadException("every label is 0: a classification dataset needs at least 2 classes");
        }
        Double fraction = null;
        Long seed = null;
        int trainCount = train.count();
        int testCount;
        if (test == null) {
            fraction = upload.testFraction() == null ? 0.2 : upload.testFraction();
            seed = upload.seed() == null ? 0L : upload.seed();
            testCount = (int) Math.round(fraction * train.count());
            if (testCount < 1 || testCount >= train.count()) {
                throw new InvalidUploadException("holding out " + fraction + " of " + train.count()
                        + " examples leaves " + testCount + " for test and " + (train.count() - testCount)
                        + " for training; each needs at least one");
            }
            trainCount = train.count() - testCount;
        } else {
            testCount = test.count();
        }
        List<Long> shape = Arrays.stream(train.sampleShape()).boxed().toList();
        return new DatasetManifest(id, upload.name(), format.wireName(), classes, shape, trainCount, testCount,
                fraction, seed, format == DatasetFormat.CSV ? (upload.labelColumn() == null ? "label"
                        : upload.labelColumn()) : null, List.of(), Instant.now().truncatedTo(ChronoUnit.MICROS));
    }
}
