package dev.valley.model.dataset;

/**
 * What an uploaded file may make a reader do, so that a small upload cannot make a large demand. A compressed
 * part may decompress to at most {@code maxDecompressedBytes}, and, once past {@link #GRACE_BYTES}, to at most
 * {@code maxCompressionRatio} times the compressed bytes it came from (real datasets compress 2 to 10 times; a
 * decompression bomb a thousand times). A CSV line may be at most {@code maxLineLength} characters.
 */
public record UploadLimits(long maxDecompressedBytes, double maxCompressionRatio, int maxLineLength) {
    /** Below this, any ratio passes: a small file of zeros is no bomb. */
    public static final long GRACE_BYTES = 16L << 20;

    /** For files that were already checked with the api-service's limits (a worker reading a stored upload). */
    public static final UploadLimits NONE = new UploadLimits(Long.MAX_VALUE, Double.POSITIVE_INFINITY,
            Integer.MAX_VALUE - 8);

    public UploadLimits {
        if (maxDecompressedBytes <= 0 || !(maxCompressionRatio >= 1) || maxLineLength <= 0) {
            throw new IllegalArgumentException("upload limits must be positive (a ratio at least 1): "
                    + maxDecompressedBytes + ", " + maxCompressionRatio + ", " + maxLineLength);
        }
    }
}
