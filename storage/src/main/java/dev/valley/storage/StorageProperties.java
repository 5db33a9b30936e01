package dev.valley.storage;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Any S3-compatible store, addressed path-style by default (S3Proxy, SeaweedFS, Garage, AWS). {@code keepCheckpoints}
 * (the api-service's): leave an ended job's checkpoints in the bucket, to inspect them. {@code cleanupSweep} (the
 * api-service's): how often it runs the cleanups of ended jobs' leftovers that are due for longer than that (those an
 * api process died before running).
 */
@Validated
@ConfigurationProperties("valley.storage")
public record StorageProperties(
        @NotNull URI endpoint,
        @NotBlank @DefaultValue("valley") String bucket,
        @NotBlank @DefaultValue("us-east-1") String region,
        @NotBlank String accessKey,
        @NotBlank String secretKey,
        @DefaultValue("true") boolean pathStyle,
        @DefaultValue("false") boolean keepCheckpoints,
        @DefaultValue("1m") Duration cleanupSweep) {
}
