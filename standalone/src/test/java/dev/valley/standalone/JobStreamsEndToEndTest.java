package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The live streams (server-sent events) a dashboard watches: a job's own stream follows it from submission to its
 * final state and then ends; the stream of every job carries new jobs and their changes. The changes travel through
 * PostgreSQL's LISTEN/NOTIFY, so these streams also check the trigger.
 */
class JobStreamsEndToEndTest extends OwnValley {
    private static final List<String> ORDER = List.of("QUEUED", "RUNNING", "SUCCEEDED");

    @Test
    void aJobsStreamFollowsItToItsEndAndCloses() throws Exception {
        String id = api.submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[16]},"epochs":40}}""")
                .get("id").asString();
        BlockingQueue<ApiClient.Event> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> stream = api.events("/api/v1/jobs/" + id + "/events", events);
        List<JsonNode> views = new ArrayList<>();
        List<Integer> epochs = new ArrayList<>();
        for (ApiClient.Event e = next(events); !e.name().equals("end"); e = next(events)) {
            assertThat(e.name()).isIn("job", "epoch");
            if (e.name().equals("epoch")) { // each epoch's figures, once, as it ends
                epochs.add(ApiClient.JSON.readTree(e.data()).get("figures").get("epoch").asInt());
            } else {
                views.add(ApiClient.JSON.readTree(e.data()));
            }
        }
        assertThat(epochs).isEqualTo(java.util.stream.IntStream.rangeClosed(1, 40).boxed().toList());
        stream.get(10, TimeUnit.SECONDS);
        List<String> statuses = views.stream().map(v -> v.get("status").asString()).toList();
        assertThat(statuses.get(statuses.size() - 1)).isEqualTo("SUCCEEDED");
        assertThat(views.get(views.size() - 1).get("result").get("testAccuracy").asDouble()).isPositive();
        // In order, never back; progress only grows; per-epoch progress shows between start and end.
        for (int i = 1; i < views.size(); i++) {
            assertThat(ORDER.indexOf(statuses.get(i))).as(statuses.toString())
                    .isGreaterThanOrEqualTo(ORDER.indexOf(statuses.get(i - 1)));
            assertThat(views.get(i).get("progress").asDouble())
                    .isGreaterThanOrEqualTo(views.get(i - 1).get("progress").asDouble());
        }
        // The worker reports progress every second (valley.worker.progress-interval): a run of several seconds shows
        // RUNNING views between its start and its end; one that ends within a second or two may show only the start
        // (CI once ran these 40 epochs in 1.3 s). Its epochs were streamed one by one all the same (above).
        long running = statuses.stream().filter("RUNNING"::equals).count();
        JsonNode last = views.get(views.size() - 1);
        double seconds = java.time.Duration.between(java.time.Instant.parse(last.get("startedAt").asString()),
                java.time.Instant.parse(last.get("finishedAt").asString())).toMillis() / 1000.0;
        assertThat(running).as(statuses.toString()).isGreaterThanOrEqualTo(seconds >= 4 ? 3 : 1);
        System.out.printf("streams: job %s ran %.1f s and sent %d views: %s%n", id, seconds, views.size(), statuses);

        // A finished job's stream is its final view, its epochs, and the end.
        BlockingQueue<ApiClient.Event> again = new LinkedBlockingQueue<>();
        api.events("/api/v1/jobs/" + id + "/events", again).get(10, TimeUnit.SECONDS);
        List<String> names = again.stream().map(ApiClient.Event::name).toList();
        assertThat(names.get(0)).isEqualTo("job");
        assertThat(names.subList(1, 41)).containsOnly("epoch");
        assertThat(names.subList(41, names.size())).containsExactly("end");
        assertThat(api.get("/api/v1/jobs/" + java.util.UUID.randomUUID() + "/events").statusCode()).isEqualTo(404);
    }

    @Test
    void theStreamOfEveryJobCarriesNewJobsToTheirEnds() throws Exception {
        BlockingQueue<ApiClient.Event> events = new LinkedBlockingQueue<>();
        CompletableFuture<Void> stream = api.events("/api/v1/jobs/events", events);
        try {
            List<String> ids = new ArrayList<>();
            for (int seed = 1; seed <= 2; seed++) {
                ids.add(api.submit("""
                        {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":3,
                         "seed":%d}}""".formatted(seed)).get("id").asString());
            }
            Map<String, List<String>> seen = new HashMap<>();
            while (!ids.stream().allMatch(id -> seen.getOrDefault(id, List.of()).contains("SUCCEEDED"))) {
                ApiClient.Event e = next(events);
                assertThat(e.name()).isEqualTo("job");
                JsonNode view = ApiClient.JSON.readTree(e.data());
                seen.computeIfAbsent(view.get("id").asString(), k -> new ArrayList<>()).add(view.get("status")
                        .asString());
            }
            for (String id : ids) {
                assertThat(seen.get(id)).as(id).startsWith("QUEUED").endsWith("SUCCEEDED").contains("RUNNING");
            }
        } finally {
            stream.cancel(true);
        }
    }

    /** The next event, waiting at most two minutes for it. */
    private static ApiClient.Event next(BlockingQueue<ApiClient.Event> events) throws InterruptedException {
        ApiClient.Event e = events.poll(2, TimeUnit.MINUTES);
        assertThat(e).as("an event within two minutes").isNotNull();
        return e;
    }
}
