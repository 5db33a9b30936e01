package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The metrics an operator scrapes: /actuator/prometheus on the api-service, after jobs ran, has each metric with its
 * labels, and the counters moved by exactly what was done (two submissions accepted, one answered by reuse, one
 * refused; two starts, two ends); the jobs-by-status gauge counts the jobs; the worker's registry has the training's
 * samples/s, its attempts and its checkpoints.
 */
class MetricsEndToEndTest extends OwnValley {
    private static final Duration LONG = Duration.ofMinutes(3);
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$");

    /** Every sample of the exposition, by name and labels as written ("name{a=\"b\",…}"). */
    private static Map<String, Double> scrape() throws Exception {
        HttpResponse<String> response = api.get("/actuator/prometheus");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
            }
        }
        return samples;
    }

    /** The sum of the samples named {@code name} whose labels include each of {@code labels} ("key=\"value\""). */
    private static double value(Map<String, Double> samples, String name, String... labels) {
        return samples.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
                .filter(e -> java.util.Arrays.stream(labels).allMatch(l -> e.getKey().contains(l)))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void countersMoveByWhatWasDoneAndEveryMetricHasItsLabels() throws Exception {
        // One job first, ended before the counters are read: the pool's label, and nothing of it moves them later.
        String first = submit("""
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":1,
                 "seed":90}}""");
        String pool = "pool=\"" + succeeded(first, LONG).get("pool").asString() + "\"";
        Map<String, Double> before = scrape();
        String spec = """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[16]},"epochs":3,
                 "seed":%d}%s}""";
        String a = submit(spec.formatted(91, ""));
        String b = submit(spec.formatted(92, ""));
        succeeded(a, LONG);
        succeeded(b, LONG);
        // The same training again with reuse: answered with a, nothing new runs.
        HttpResponse<String> reused = api.post("/api/v1/jobs", spec.formatted(91, ",\"reuse\":true"));
        assertThat(reused.statusCode()).isEqualTo(200);
        assertThat(ApiClient.JSON.readTree(reused.body()).get("id").asString()).isEqualTo(a);
        assertThat(api.post("/api/v1/jobs", spec.formatted(93, ",\"name\":\"\"")).statusCode()).isEqualTo(400);

        Map<String, Double> after = scrape();
        String train = "type=\"train\"";
        assertThat(value(after, "valley_submissions_total", train, "outcome=\"accepted\"")
                - value(before, "valley_submissions_total", train, "outcome=\"accepted\"")).isEqualTo(2);
        assertThat(value(after, "valley_submissions_total", train, "outcome=\"reused\"")
                - value(before, "valley_submissions_total", train, "outcome=\"reused\"")).isEqualTo(1);
        assertThat(value(after, "valley_submissions_refused_total", "reason=\"invalid\"")
                - value(before, "valley_submissions_refused_total", "reason=\"invalid\"")).isEqualTo(1);
        assertThat(value(after, "valley_dispatch_latency_seconds_count", train)
                - value(before, "valley_dispatch_latency_seconds_count", train)).isEqualTo(2);
        assertThat(value(after, "valley_job_duration_seconds_count", train, "status=\"SUCCEEDED\"")
                - value(before, "valley_job_duration_seconds_count", train, "status=\"SUCCEEDED\"")).isEqualTo(2);
        assertThat(after.keySet()).anyMatch(k -> k.startsWith("valley_dispatch_latency_seconds_bucket{"));
        assertThat(after).containsKeys("valley_outbox_unsent", "valley_outbox_oldest_age_seconds", "valley_outbox_held",
                "valley_streams_subscribers", "valley_leases_expired_total");

        // The gauge of jobs is refreshed on a schedule: it comes to count the three succeeded trainings.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> value(scrape(),
                "valley_jobs", train, "status=\"SUCCEEDED\"", pool) >= 3);

        // The worker's own registry (served on its actuator port in a container).
        MeterRegistry worker = valley.worker().getBean(MeterRegistry.class);
        assertThat(worker.get("valley.worker.training.samples.per.second").gauge().value()).isPositive();
        assertThat(worker.get("valley.worker.attempt").tags("type", "train", "outcome", "finished").timer().count())
                .isGreaterThanOrEqualTo(3);
        assertThat(worker.get("valley.worker.checkpoint.size").summary().count()).isGreaterThanOrEqualTo(7);
    }
}
