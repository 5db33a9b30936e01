package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Priorities through the broker: on one busy worker (it runs one job at a time), five priority-1 jobs are queued,
 * then one priority-9 job; when the worker is free, the priority-9 job starts next, before all five. A priority
 * outside 0–9 is a 400 naming the field.
 */
class PriorityEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void theHighPriorityJobQueuedLastStartsFirst() throws Exception {
        String busy = submit(train(300, null));
        await().atMost(LONG).until(() -> "RUNNING".equals(job(busy).get("status").asString()));
        List<String> low = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            low.add(submit(train(1, 1)));
        }
        String high = submit(train(1, 9));
        assertThat(job(high).get("priority").asInt()).isEqualTo(9);
        assertThat(job(busy).get("priority").asInt()).isEqualTo(4);
        // All six wait on the busy worker: none may start before it is free.
        assertThat(job(high).get("status").asString()).isEqualTo("QUEUED");

        Instant highStarted = Instant.parse(succeeded(high, LONG).get("startedAt").asString());
        List<Instant> lowStarted = new ArrayList<>();
        for (String id : low) {
            lowStarted.add(Instant.parse(succeeded(id, LONG).get("startedAt").asString()));
        }
        Instant busyFinished = Instant.parse(succeeded(busy, LONG).get("finishedAt").asString());
        System.out.printf("priorities: the priority-9 job started %s after the busy one ended; the five priority-1"
                + " jobs at %s%n", Duration.between(busyFinished, highStarted), lowStarted.stream()
                .map(t -> Duration.between(busyFinished, t).toString()).toList());
        assertThat(lowStarted).allSatisfy(t -> assertThat(t).isAfter(highStarted));
        assertThat(highStarted).isAfterOrEqualTo(busyFinished.minusSeconds(1));

        HttpResponse<String> wrong = api.post("/api/v1/jobs", train(1, 10));
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(ApiClient.JSON.readTree(wrong.body()).get("errors").findValuesAsString("field"))
                .contains("resources.priority");
    }

    private static JsonNode job(String id) throws Exception {
        return ApiClient.JSON.readTree(api.get("/api/v1/jobs/" + id).body());
    }

    private static String train(int epochs, Integer priority) {
        return """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[64]},"epochs":%d}%s}"""
                .formatted(epochs, priority == null ? "" : ",\"resources\":{\"priority\":" + priority + "}");
    }
}
