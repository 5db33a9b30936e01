package dev.valley.api.model;

import dev.valley.api.job.JobService;
import dev.valley.api.web.InvalidRequestException;
import dev.valley.model.job.ModelSpec;
import dev.valley.model.upload.TorchScriptFile;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.multipart.MultipartFile;

/**
 * A TorchScript module uploaded ({@code format=torchscript}). The API service has no libtorch, so it checks what it
 * can ({@link TorchScriptFile}: a zip of TorchScript's layout, within the upload limit), stores the archive as
 * {@code models/{id}/module.pt} with its SHA-256, and records the model with its inspect job in one transaction: a
 * worker loads and runs the module, and the job's outcome is the model's status. A refused upload leaves neither
 * object nor row.
 */
@Service
public class TorchScriptUploads {
    private static final Logger log = LoggerFactory.getLogger(TorchScriptUploads.class);

    private final ModelService models;
    private final JobService jobs;

    TorchScriptUploads(ModelService models, JobService jobs) {
        this.models = models;
        this.jobs = jobs;
    }

    @Transactional
    public UploadedModel upload(String name, String model, String dataset, MultipartFile file) {
        if (model != null) {
            throw new InvalidRequestException("model", "is not for format=torchscript: the archive is the"
                    + " architecture");
        }
        models.target(dataset, name, file, "the TorchScript archive (torch.jit.save's .pt file)");
        UploadedModel uploaded = models.store(file, "module.pt", TorchScriptFile::check, (id, key, stored) -> {
            UUID inspection = jobs.inspect(id, dataset, name);
            return models.record(new UploadedModel(id, name, UploadedModel.TORCHSCRIPT, UploadedModel.Status.PENDING,
                    ModelSpec.torchscript(id), dataset, key, stored.size(), stored.sha256(),
                    Instant.now().truncatedTo(ChronoUnit.MICROS), inspection, null, null));
        });
        log.info("module {} stored for {}, {} bytes; inspect job {}", uploaded.id(), dataset, uploaded.size(),
                uploaded.inspectJob());
        return uploaded;
    }
}
