package dev.valley.standalone;

import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.context.ConfigurableApplicationContext;
import software.amazon.awssdk.services.s3.S3Client;

/** Files the upload tests send, and what the api-service's bucket holds. */
final class TestFiles {
    private TestFiles() {
    }

    static byte[] resource(String name) throws Exception {
        try (var in = TestFiles.class.getResourceAsStream("/" + name)) {
            return in.readAllBytes();
        }
    }

    /** An IDX file: the magic number, each dimension, then the data, big-endian as the format has it. */
    static byte[] idx(int magic, int[] sizes, byte[] data) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * sizes.length + data.length);
        b.putInt(magic);
        for (int s : sizes) {
            b.putInt(s);
        }
        b.put(data);
        return b.array();
    }

    /** The keys of the objects under {@code prefix} in the bucket of {@code api}. */
    static Set<String> storedUnder(ConfigurableApplicationContext api, String prefix) {
        S3Client s3 = api.getBean(S3Client.class);
        String bucket = api.getEnvironment().getProperty("valley.storage.bucket");
        try {
            return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                    .map(o -> o.key()).collect(Collectors.toSet());
        } catch (software.amazon.awssdk.services.s3.model.NoSuchBucketException e) {
            return Set.of();
        }
    }
}
