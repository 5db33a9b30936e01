package dev.valley.model.artifact;

/** An artifact as uploaded: {@code key} is where it lies in the bucket, {@code sha256} hex of its bytes. */
public record ArtifactInfo(String name, String contentType, long size, String sha256, String key) {
}
