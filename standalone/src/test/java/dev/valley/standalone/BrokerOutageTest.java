package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Infrastructure;
import dev.valley.embedded.OutageServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job submitted while the broker is down waits in the outbox and runs when the broker returns. The broker here
 * is the test's own so that it can stop it ({@link OutageServer}): an embedded Qpid, which keeps nothing across the
 * restart, so the dispatch can only come from the database; or, with {@code VALLEY_TEST_SERVERS=containers}, a
 * RabbitMQ container stopped and started. Meanwhile the api-service stays live and ready.
 */
class BrokerOutageTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path brokerDir;

    /** The test servers, but this test's own broker, which it may stop, and a worker pool of its own. */
    private static Map<String, Object> servers(OutageServer broker, String pool) {
        Map<String, Object> servers = new HashMap<>(Infrastructure.forTests().properties());
        servers.putAll(broker.properties());
        servers.put("valley.dispatch.default-pool", pool);
        servers.put("valley.worker.pool", pool);
        return servers;
    }

    @Test
    void jobSubmittedWhileTheBrokerIsDownRunsWhenItReturns() throws Exception {
        OutageServer broker = OutageServer.broker(brokerDir);
        Valley valley = Valley.start(servers(broker, "outage"), Map.of("server.port", "0"));
        try {
            String base = "http://127.0.0.1:" + valley.api().getEnvironment().getProperty("local.server.port");
            broker.stop();

            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"type":"train","name":"submitted during an outage",
                             "spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[32]},"epochs":2}}"""))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            String id = JSON.readTree(created.body()).get("id").asString();
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> status(base, id).equals("QUEUED"));
            // The probes Kubernetes asks are the application's own state: a broker outage restarts no pod and takes
            // none out of service, while the whole health (with its broker check) says what is wrong.
            assertThat(httpStatus(base + "/actuator/health/liveness")).isEqualTo(200);
            assertThat(httpStatus(base + "/actuator/health/readiness")).isEqualTo(200);
            assertThat(httpStatus(base + "/actuator/health")).isEqualTo(503);

            broker.start();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                    .until(() -> status(base, id).matches("SUCCEEDED|FAILED"));
            assertThat(status(base, id)).isEqualTo("SUCCEEDED");
        } finally {
            valley.stop();
            broker.close();
        }
    }

    /**
     * A cancel of a running job while the broker is away is recorded and answered (200, cancelRequested) like any
     * other; it waits in the outbox, reaches the worker when the broker is back, and the job ends CANCELLED.
     */
    @Test
    void aRunningJobCancelledWhileTheBrokerIsDownEndsCancelledWhenItReturns() throws Exception {
        OutageServer broker = OutageServer.broker(brokerDir);
        Valley valley = Valley.start(servers(broker, "cancel-outage"), Map.of("server.port", "0"));
        try {
            ApiClient api = new ApiClient(valley);
            String id = api.submit("""
                    {"type":"train","name":"cancelled during an outage",
                     "spec":{"dataset":"fashion-mnist","model":{"arch":"mlp","hidden":[512,512]},"epochs":30}}""")
                    .get("id").asString();
            api.awaitStatus(id, "RUNNING", Duration.ofMinutes(1));
            broker.stop();

            HttpResponse<String> cancel = api.post("/api/v1/jobs/" + id + "/cancel", "");
            assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
            assertThat(JSON.readTree(cancel.body()).get("cancelRequested").asBoolean()).isTrue();
            assertThat(api.job(id).get("status").asString()).isEqualTo("RUNNING");

            broker.start();
            assertThat(api.awaitEnd(id, Duration.ofMinutes(2)).get("status").asString()).isEqualTo("CANCELLED");
        } finally {
            valley.stop();
            broker.close();
        }
    }

    private static int httpStatus(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static String status(String base, String id) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + id)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("status").asString();
    }
}
