package dev.valley.api.upload;

import dev.valley.storage.StorageProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/**
 * What the upload endpoints share: files spooled to a temporary folder, streamed to the bucket with their SHA-256,
 * and removed again (objects and folder) when an upload is refused.
 */
@Component
public class UploadStore {
    private static final Logger log = LoggerFactory.getLogger(UploadStore.class);

    private final S3Client s3;
    private final StorageProperties storage;

    UploadStore(S3Client s3, StorageProperties storage) {
        this.s3 = s3;
        this.storage = storage;
    }

    /** An object as stored: its key, size in bytes and SHA-256 (hex). */
    public record Stored(String key, long size, String sha256) {
    }

    /** Streams {@code file} to {@code key}, its SHA-256 in the object's metadata. */
    public Stored put(String key, Path file) {
        ensureBucket();
        try {
            String sha256 = sha256(file);
            s3.putObject(b -> b.bucket(storage.bucket()).key(key).contentType("application/octet-stream")
                    .metadata(Map.of("sha256", sha256)), RequestBody.fromFile(file));
            return new Stored(key, Files.size(file), sha256);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void putJson(String key, byte[] json) {
        ensureBucket();
        s3.putObject(b -> b.bucket(storage.bucket()).key(key).contentType("application/json"),
                RequestBody.fromBytes(json));
    }

    /** Best effort: a failure is logged and leaves an orphan, nothing worse. */
    public void delete(String key) {
        try {
            s3.deleteObject(b -> b.bucket(storage.bucket()).key(key));
        } catch (RuntimeException e) {
            log.warn("could not delete {}: {}", key, e.toString());
        }
    }

    public void deleteAll(String prefix) {
        s3.listObjectsV2Paginator(b -> b.bucket(storage.bucket()).prefix(prefix)).contents()
                .forEach(o -> delete(o.key()));
    }

    public static Path temporaryFolder(String purpose) {
        try {
            return Files.createTempDirectory("valley-" + purpose + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not remove {}: {}", dir, e.toString());
        }
    }

    private void ensureBucket() {
        try {
            s3.headBucket(b -> b.bucket(storage.bucket()));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(storage.bucket()));
            } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException
                    | software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException raced) {
                // another worker or api-service created it between the two calls: it exists, which is all we need
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
