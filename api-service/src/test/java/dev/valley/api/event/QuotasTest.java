package dev.valley.api.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.api.ApiTestServers;
import dev.valley.api.dispatch.OutboxMessage;
import dev.valley.api.dispatch.OutboxRepository;
import dev.valley.api.metrics.ApiMetrics;
import dev.valley.model.event.JobEvent;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Token quotas, on the real PostgreSQL, through HTTP. Alice's token allows 3 jobs not yet running and 1 running; Bob's
 * sets none. Alice's fourth queued submission is a 429 naming {@code maxQueued}, with Retry-After, and stores nothing;
 * Bob is not held back by her. The outbox hands out one of Alice's jobs at a time: the claim takes her oldest, holds
 * the others while it is dispatched and while it runs, and admits the next when it ends. (The outbox is not published
 * here, publish interval 1 h: the claim is read, then rolled back, or marked sent by hand as a publish would.) The
 * outbox gauges count her held rows apart from the rows the broker owes.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=api-service", "valley.dispatch.publish-interval=1h", "valley.dispatch.lease-check=1h",
        "valley.auth.tokens=submit:quota-test-alice-token-0000;name=alice;maxQueued=3;maxRunning=1,"
                + "submit:quota-test-bob-token-000000;name=bob"})
class QuotasTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ALICE = "quota-test-alice-token-0000";
    private static final String BOB = "quota-test-bob-token-000000";

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ApiTestServers.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    OutboxRepository outbox;
    @Autowired
    TransactionTemplate transactions;
    @Autowired
    ApplyJobEvent apply;
    @Autowired
    JdbcClient db;
    @Autowired
    ApiMetrics metrics;
    @Autowired
    MeterRegistry registry;

    @Test
    void aQueueQuotaRefusesWithA429AndARunningQuotaHoldsDispatchesBack() throws Exception {
        UUID[] alice = new UUID[3];
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> accepted = submit(ALICE, i);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
            alice[i] = UUID.fromString(JSON.readTree(accepted.body()).get("id").asString());
            assertThat(JSON.readTree(accepted.body()).get("submittedBy").asString()).isEqualTo("alice");
        }
        HttpResponse<String> refused = submit(ALICE, 3);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
        JsonNode problem = JSON.readTree(refused.body());
        assertThat(problem.get("quota").asString()).isEqualTo("maxQueued");
        assertThat(problem.get("limit").asInt()).isEqualTo(3);
        assertThat(problem.get("current").asInt()).isEqualTo(3);
        assertThat(problem.get("detail").asString()).contains("alice").contains("nothing was stored");
        assertThat(db.sql("select count(*) from job where submitted_by = 'alice'").query(Integer.class).single())
                .isEqualTo(3);
        HttpResponse<String> bobs = submit(BOB, 0);
        assertThat(bobs.statusCode()).as(bobs.body()).isEqualTo(201);
        UUID bob = UUID.fromString(JSON.readTree(bobs.body()).get("id").asString());

        // Her oldest goes, with Bob's; her others wait.
        assertThat(claimed(alice, bob)).containsExactlyInAnyOrder(alice[0], bob);
        markSent(alice[0]);
        assertThat(claimed(alice, bob)).containsExactly(bob); // her one place is taken by a dispatched job
        assertOutboxGauges(2); // her second and third: one dispatch row each, held apart from what the broker owes
        apply.apply(JobEvent.started(alice[0], 1, "w1", "cpu"));
        assertThat(claimed(alice, bob)).containsExactly(bob); // ... and by a running one
        apply.apply(JobEvent.finished(alice[0], 1, "w1", JSON.readTree("{}"), List.of()));
        assertThat(claimed(alice, bob)).containsExactlyInAnyOrder(alice[1], bob);
        assertOutboxGauges(1);

        // Two of hers not yet running: a third may be queued again.
        assertThat(submit(ALICE, 4).statusCode()).isEqualTo(201);
    }

    private HttpResponse<String> submit(String token, int seed) throws Exception {
        String body = """
                {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[4]},"epochs":1,
                 "seed":%d}}""".formatted(seed);
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/jobs"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Which of these jobs a publisher's claim would take now (other tests' rows aside); rolled back. */
    private List<UUID> claimed(UUID[] alice, UUID bob) {
        List<UUID> ours = new java.util.ArrayList<>(List.of(alice));
        ours.add(bob);
        return transactions.execute(status -> {
            status.setRollbackOnly();
            return outbox.claimDue(Instant.now(), 100_000).stream().map(OutboxMessage::getJobId)
                    .filter(ours::contains).toList();
        });
    }

    /** The metrics' outbox gauges: {@code held} rows apart, the rest counted from the table here. */
    private void assertOutboxGauges(int held) {
        metrics.refresh();
        long unsent = db.sql("select count(*) from outbox where sent_at is null").query(Long.class).single();
        assertThat(registry.get("valley.outbox.held").gauge().value()).isEqualTo(held);
        assertThat(registry.get("valley.outbox.unsent").gauge().value()).isEqualTo(unsent - held);
    }

    private void markSent(UUID job) {
        db.sql("update outbox set sent_at = now() where job_id = ? and sent_at is null").param(job).update();
    }
}
