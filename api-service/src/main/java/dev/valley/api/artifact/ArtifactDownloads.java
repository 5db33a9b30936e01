package dev.valley.api.artifact;

import dev.valley.storage.StorageProperties;
import dev.valley.api.web.NotFoundException;
import java.util.UUID;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.s3.S3Client;

/** Streams an artifact's bytes from object storage; only artifacts recorded on the job can be read. */
@Component
public class ArtifactDownloads {
    private final ArtifactRepository artifacts;
    private final S3Client s3;
    private final StorageProperties storage;

    ArtifactDownloads(ArtifactRepository artifacts, S3Client s3, StorageProperties storage) {
        this.artifacts = artifacts;
        this.s3 = s3;
        this.storage = storage;
    }

    public ResponseEntity<Resource> download(UUID jobId, String name) {
        Artifact artifact = artifacts.findByJobIdAndName(jobId, name)
                .orElseThrow(() -> new NotFoundException("job " + jobId + " has no artifact '" + name + "'"));
        var stream = s3.getObject(b -> b.bucket(storage.bucket()).key(artifact.getObjectKey()));
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(artifact.getContentType()))
                .contentLength(artifact.getSize())
                .eTag("\"" + artifact.getSha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + artifact.getName() + "\"")
                .header("X-Checksum-SHA256", artifact.getSha256())
                .body(new InputStreamResource(stream));
    }
}
