package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Preemption on one busy worker (it runs one job at a time), with {@code valley.dispatch.preemption} on (waiting 2 s,
 * checked every 0.5 s): a priority-1 training runs; a priority-7 job waits behind it and takes nothing from it (7 is
 * below the threshold, 8); a priority-9 job arrives, and the running job is asked to hand back. It is RELEASED, the
 * priority-9 job runs next, then the priority-7 one, and the released job's second attempt resumes from its
 * checkpoint and ends with all its epochs.
 */
class PreemptionEndToEndTest {
    private static final Duration LONG = Duration.ofMinutes(5);

    @Test
    void aPriority9JobWaitingOnABusyPoolTakesTheWorkerFromTheLowestPriorityJob() throws Exception {
        Valley valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0",
                "valley.dispatch.preemption.enabled", "true", "valley.dispatch.preemption.after", "2s",
                "valley.dispatch.preemption.check", "500ms"));
        try {
            ApiClient api = new ApiClient(valley);
            String busy = api.submit(train(400, 1)).get("id").asString();
            await().atMost(LONG).pollInterval(Duration.ofMillis(100)).until(() -> api.job(busy),
                    j -> "RUNNING".equals(j.get("status").asString()) && j.get("progress").asDouble() >= 0.05);

            String middle = api.submit(train(1, 7)).get("id").asString();
            // Below the threshold: after twice the wait and several checks, the busy job still runs its first attempt.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> api.job(busy),
                    j -> "RUNNING".equals(j.get("status").asString()) && j.get("attempt").asInt() == 1);

            String high = api.submit(train(1, 9)).get("id").asString();
            long submittedAt = System.nanoTime();
            JsonNode highDone = api.awaitEnd(high, LONG);
            double waited = (System.nanoTime() - submittedAt) / 1e9;
            assertThat(highDone.get("status").asString()).isEqualTo("SUCCEEDED");
            JsonNode middleDone = api.awaitEnd(middle, LONG);
            assertThat(middleDone.get("status").asString()).isEqualTo("SUCCEEDED");
            JsonNode busyDone = api.awaitEnd(busy, LONG);
            assertThat(busyDone.get("status").asString()).as(busyDone.toString()).isEqualTo("SUCCEEDED");

            JsonNode released = busyDone.at("/earlierAttempts/0");
            assertThat(released.get("outcome").asString()).isEqualTo("RELEASED");
            assertThat(released.get("reason").asString()).contains("preempted by a job of higher priority");
            assertThat(busyDone.get("attempt").asInt()).isEqualTo(2);
            int resumedAfter = busyDone.at("/result/resumedAfterEpoch").asInt();
            assertThat(resumedAfter).isBetween(19, 399); // released at 5 % (epoch 20 of 400) or later
            assertThat(busyDone.at("/result/history")).hasSize(400);
            Instant highStarted = Instant.parse(highDone.get("startedAt").asString());
            Instant middleStarted = Instant.parse(middleDone.get("startedAt").asString());
            Instant busyResumed = Instant.parse(busyDone.get("startedAt").asString());
            assertThat(highStarted).isBefore(middleStarted);
            assertThat(middleStarted).isBefore(busyResumed);
            assertThat(valley.api().getBean(io.micrometer.core.instrument.MeterRegistry.class)
                    .get("valley.preemptions").counter().count()).isEqualTo(1.0);
            System.out.printf("preemption: the priority-9 job ended %.1f s after its submission; the priority-1 job"
                    + " was released and resumed after epoch %d of 400; the priority-7 job took nothing%n", waited,
                    resumedAfter);
        } finally {
            valley.stop();
        }
    }

    private static String train(int epochs, int priority) {
        return """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[64]},"epochs":%d},
                 "resources":{"priority":%d}}""".formatted(epochs, priority);
    }
}
