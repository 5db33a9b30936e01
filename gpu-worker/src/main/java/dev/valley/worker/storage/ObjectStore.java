package dev.valley.worker.storage;

import dev.valley.model.artifact.ArtifactInfo;
import dev.valley.storage.StorageProperties;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/** Uploads artifacts through the S3 API; the bucket is created on first use. */
@Component
public class ObjectStore implements dev.valley.worker.science.data.UploadedDatasets.Source {
    private final S3Client s3;
    private final String bucket;
    private volatile boolean bucketKnown;

    ObjectStore(S3Client s3, StorageProperties storage) {
        this.s3 = s3;
        this.bucket = storage.bucket();
    }

    public ArtifactInfo put(String key, String name, String contentType, byte[] bytes) {
        ensureBucket();
        String sha256 = sha256(bytes);
        s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).contentLength((long) bytes.length)
                .metadata(java.util.Map.of("sha256", sha256)), RequestBody.fromBytes(bytes));
        return new ArtifactInfo(name, contentType, bytes.length, sha256, key);
    }

    /** The object's bytes, refused unless their SHA-256 is {@code sha256}: a corrupt input must not be trained on. */
    public byte[] get(String key, String sha256) {
        byte[] bytes = read(key);
        String actual = sha256(bytes);
        if (!actual.equals(sha256)) {
            throw new CorruptObjectException("object " + key + " has SHA-256 " + actual + ", recorded as " + sha256);
        }
        return bytes;
    }

    /** What is stored under {@code key} (its name the key's last segment), or empty when nothing is. */
    public java.util.Optional<ArtifactInfo> find(String key) {
        ensureBucket();
        try {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            String sha256 = head.metadata().get("sha256");
            if (sha256 == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(new ArtifactInfo(key.substring(key.lastIndexOf('/') + 1), head.contentType(),
                    head.contentLength(), sha256, key));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchKeyException e) {
            return java.util.Optional.empty();
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    /** Streams the object to {@code target}, then refuses it unless its SHA-256 is {@code sha256}. */
    @Override
    public void download(String key, String sha256, java.nio.file.Path target) {
        try {
            java.nio.file.Files.deleteIfExists(target);
            s3.getObject(b -> b.bucket(bucket).key(key),
                    software.amazon.awssdk.core.sync.ResponseTransformer.toFile(target));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (var in = new java.security.DigestInputStream(java.nio.file.Files.newInputStream(target), digest)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(sha256)) {
                throw new CorruptObjectException("object " + key + " has SHA-256 " + actual + ", recorded as "
                        + sha256);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The object's bytes, unchecked. */
    @Override
    public byte[] read(String key) {
        return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** Stored bytes that are not the bytes that were recorded. */
    public static final class CorruptObjectException extends RuntimeException {
        CorruptObjectException(String message) {
            super(message);
        }
    }

    private void ensureBucket() {
        if (bucketKnown) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            try {
                s3.createBucket(b -> b.bucket(bucket));
            } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException
                    | software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException raced) {
                // another worker or api-service created it between the two calls: it exists, which is all we need
            }
        }
        bucketKnown = true;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
