package dev.valley.standalone;

import static dev.valley.model.Json.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.model.queue.DispatchMessage;
import dev.valley.storage.StorageProperties;
import dev.valley.worker.runner.Runs;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The outbox publishes at least once, so a dispatch may be delivered twice (an api process killed between the
 * broker's confirm and its commit; ReplicasFaultTest saw it) and its attempt run again after the job ended. Here the
 * second run computes different weights (its spec's seed changed, so that a replaced artifact would show): the
 * recorded model.safetensors keeps the first run's bytes, and the second run's checkpoint is removed when its end
 * arrives, leaving storage as the job recorded it.
 */
class DuplicateDeliveryTest extends OwnValley {

    @Test
    void aSecondRunOfAnEndedAttemptReplacesNothingAndLeavesNothing() throws Exception {
        String id = submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":2,
                 "seed":1}}""");
        JsonNode done = succeeded(id, Duration.ofMinutes(2));
        String recorded = done.at("/artifacts/0/sha256").asString();
        assertThat(done.at("/artifacts/0/name").asString()).isEqualTo("model.safetensors");

        JdbcClient db = valley.api().getBean(JdbcClient.class);
        String payload = db.sql("select payload::text from outbox where job_id = ? and kind = 'DISPATCH'")
                .param(UUID.fromString(id)).query(String.class).single();
        ObjectNode again = (ObjectNode) JSON.readTree(payload);
        ((ObjectNode) again.get("spec")).put("seed", 2);
        Runs.runAsDeliveredAgain(valley.worker(), JSON.treeToValue(again, DispatchMessage.class));

        assertThat(sha256(api.download(id, "model.safetensors"))).isEqualTo(recorded);
        assertThat(api.job(id).get("status").asString()).isEqualTo("SUCCEEDED");
        S3Client s3 = valley.api().getBean(S3Client.class);
        String bucket = valley.api().getBean(StorageProperties.class).bucket();
        await().atMost(Duration.ofSeconds(30)).until(() -> s3.listObjectsV2Paginator(b -> b.bucket(bucket)
                .prefix("jobs/" + id + "/")).contents().stream().map(S3Object::key).toList(),
                keys -> keys.equals(List.of("jobs/" + id + "/attempt-1/model.safetensors")));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
