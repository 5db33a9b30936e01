package dev.valley.api.web;

import dev.valley.model.dataset.UploadLimits;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * How much a request may ask of the api-service. {@code maxRequestSize}: a JSON body (a job spec is a few hundred
 * bytes). {@code maxUploadSize}: a dataset or weights file as sent. {@code maxDecompressedSize}: what one gzipped or
 * zipped part may decompress to (four times the upload limit unless set), and {@code maxCompressionRatio}: how many
 * times its compressed size, past the first 16 MB. {@code maxCsvLine}: characters in one CSV line.
 * {@code maxListOffset}: how deep a job list may page (page × size). {@code streamKeepalive}: how often an event
 * stream sends a comment, so that proxies keep a quiet stream open and clients that left are found.
 */
@ConfigurationProperties("valley.api")
@Validated
public record ApiProperties(
        @DefaultValue("1MB") DataSize maxRequestSize,
        @DefaultValue("2GB") DataSize maxUploadSize,
        DataSize maxDecompressedSize,
        @DefaultValue("100") @DecimalMin("1") double maxCompressionRatio,
        @DefaultValue("1048576") @Positive int maxCsvLine,
        @DefaultValue("1000000") @Positive long maxListOffset,
        @DefaultValue("15s") java.time.Duration streamKeepalive) {

    /** The limits the dataset readers apply. */
    public UploadLimits uploads() {
        long decompressed = maxDecompressedSize != null ? maxDecompressedSize.toBytes()
                : Math.multiplyExact(4, maxUploadSize.toBytes());
        return new UploadLimits(decompressed, maxCompressionRatio, maxCsvLine);
    }
}
