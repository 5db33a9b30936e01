package dev.valley.api.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.api.ApiTestServers;
import dev.valley.api.job.JobService;
import dev.valley.api.job.SubmitJobRequest;
import dev.valley.model.queue.Queues;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two publishers at once, as two api-service instances would run them, on the real PostgreSQL and RabbitMQ: each due
 * outbox row reaches the queue exactly once, because a publisher claims its batch with FOR UPDATE SKIP LOCKED and
 * the other skips it. (Without the claim both read the same unsent rows and both publish them.)
 */
@SpringBootTest(properties = {"spring.config.name=api-service", "valley.dispatch.publish-interval=1h",
        "valley.dispatch.lease-check=1h", "valley.auth.tokens=admin:outbox-claim-test-token"})
class OutboxClaimTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int JOBS = 40;

    @DynamicPropertySource
    static void servers(DynamicPropertyRegistry registry) {
        ApiTestServers.register(registry);
    }

    @Autowired
    JobService jobs;
    @Autowired
    PublishOutbox publisher;
    @Autowired
    AmqpAdmin admin;
    @Autowired
    org.springframework.amqp.rabbit.core.RabbitTemplate rabbit;
    @Autowired
    JdbcClient db;
    @Value("${valley.dispatch.default-pool}")
    String pool;

    @Test
    void twoPublishersAtOncePublishEachRowOnce() throws Exception {
        String queue = Queues.dispatchQueue(pool);
        // Rows other tests of this run left due go out first, then the queue starts empty. Only this test's jobs are
        // counted: another test's retry may come due meanwhile.
        publisher.publishPending();
        admin.purgeQueue(queue, false);
        java.util.Set<String> mine = new java.util.HashSet<>();
        for (int i = 0; i < JOBS; i++) {
            mine.add(jobs.submit(new SubmitJobRequest("train", "claim " + i,
                    JSON.readTree("{\"dataset\":\"spirals\",\"model\":{\"arch\":\"mlp\",\"hidden\":[8]},\"seed\":"
                            + i + "}"))).id().toString());
        }
        assertThat(unsent(mine)).isEqualTo(JOBS);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                runs.add(two.submit(() -> {
                    go.await();
                    publisher.publishPending();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            two.shutdown();
        }
        publisher.publishPending(); // anything a publisher skipped and the other did not take
        assertThat(unsent(mine)).isZero();
        List<String> published = new ArrayList<>();
        for (var m = rabbit.receive(queue, 1000); m != null; m = rabbit.receive(queue, 200)) {
            Object job = m.getMessageProperties().getHeaders().get("valley-job");
            if (job != null && mine.contains(job.toString())) {
                published.add(m.getMessageProperties().getMessageId());
            }
        }
        assertThat(published).hasSize(JOBS).doesNotHaveDuplicates();
    }

    private long unsent(java.util.Set<String> jobs) {
        return db.sql("select job_id from outbox where sent_at is null").query(String.class).list().stream()
                .filter(jobs::contains).count();
    }
}
