package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.valley.embedded.Infrastructure;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bearer tokens with roles against the real api-service: no token or an unknown one is a 401, a role too small a
 * 403, both problem details that store nothing; health and the OpenAPI document stay open. A Valley that would be
 * open to the network, or has tokens on but none configured, refuses to start.
 */
class AuthEndToEndTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String READ = "reader-0123456789abcdef";
    private static final String SUBMIT = "submitter-0123456789abcdef";
    private static final String ADMIN = "administrator-0123456789abcdef";
    private static final String JOB = """
            {"type":"train","spec":{"dataset":"spirals","model":{"arch":"mlp","hidden":[8]},"epochs":1}}""";
    private static Infrastructure servers;
    private static Valley valley;
    private static String base;

    @BeforeAll
    static void start() {
        servers = Infrastructure.forTests();
        valley = Valley.start(servers.properties(), Map.of("server.port", "0", "valley.auth.mode", "tokens",
                "valley.auth.tokens", "read:" + READ + ",submit:" + SUBMIT + ",admin:" + ADMIN));
        base = "http://127.0.0.1:" + valley.api().getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long jobCount() throws Exception {
        HttpResponse<String> page = call("GET", "/api/v1/jobs?size=1", "Bearer " + ADMIN, null);
        assertThat(page.statusCode()).isEqualTo(200);
        return ApiClient.JSON.readTree(page.body()).at("/page/totalElements").asLong();
    }

    @Test
    void withoutAKnownTokenNothingIsReadOrStored() throws Exception {
        long before = jobCount();
        for (String authorization : new String[] {null, "Bearer not-a-token-of-this-valley", "Basic " + ADMIN,
                "Bearer " + ADMIN.substring(1)}) {
            for (String[] request : new String[][] {{"POST", "/api/v1/jobs", JOB}, {"GET", "/api/v1/jobs", null}}) {
                HttpResponse<String> response = call(request[0], request[1], authorization, request[2]);
                assertThat(response.statusCode()).as("%s %s with %s", request[0], request[1], authorization)
                        .isEqualTo(401);
                assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("Bearer"));
                assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                JsonNode problem = ApiClient.JSON.readTree(response.body());
                assertThat(problem.get("status").asInt()).isEqualTo(401);
                assertThat(problem.get("detail").asString()).contains("bearer token");
            }
        }
        assertThat(jobCount()).isEqualTo(before);
    }

    @Test
    void eachRoleDoesWhatItMayAndNoMore() throws Exception {
        long before = jobCount();
        assertThat(call("GET", "/api/v1/jobs", "Bearer " + READ, null).statusCode()).isEqualTo(200);
        // The metrics are a reader's too; without a token they are refused like the API.
        assertThat(call("GET", "/actuator/prometheus", "Bearer " + READ, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/actuator/prometheus", null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> refused = call("POST", "/api/v1/jobs", "Bearer " + READ, JOB);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(ApiClient.JSON.readTree(refused.body()).get("detail").asString())
                .contains("needs the submit role; this token has read");
        assertThat(jobCount()).isEqualTo(before);

        HttpResponse<String> created = call("POST", "/api/v1/jobs", "bearer " + SUBMIT, JOB);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = ApiClient.JSON.readTree(created.body()).get("id").asString();
        assertThat(call("GET", "/api/v1/jobs/" + id, "Bearer " + READ, null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/jobs/" + id + "/cancel", "Bearer " + READ, null).statusCode())
                .isEqualTo(403);
        assertThat(call("POST", "/api/v1/jobs", "Bearer " + ADMIN, JOB).statusCode()).isEqualTo(201);
        assertThat(jobCount()).isEqualTo(before + 2);
    }

    /** A browser's EventSource sends no headers: an event stream takes the token as access_token, nothing else. */
    @Test
    void anEventStreamTakesItsTokenFromTheQuery() throws Exception {
        String unknownJob = "/api/v1/jobs/" + java.util.UUID.randomUUID();
        // 404: past the token check, to the (absent) job.
        assertThat(call("GET", unknownJob + "/events?access_token=" + READ, null, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", unknownJob + "/events?access_token=not-a-token", null, null).statusCode())
                .isEqualTo(401);
        assertThat(call("GET", unknownJob + "?access_token=" + READ, null, null).statusCode()).isEqualTo(401);
    }

    @Test
    void healthAndTheApiDocumentNeedNoToken() throws Exception {
        assertThat(call("GET", "/actuator/health/liveness", null, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/actuator/health/readiness", null, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/openapi", null, null).statusCode()).isEqualTo(200);
    }

    /**
     * The launcher's open mode is a default: {@code --valley.auth.mode=tokens} on the command line replaces it rather
     * than joining it into "open,tokens", which failed the start.
     */
    @Test
    void theLaunchersOpenModeGivesWayToTheCommandLine() throws Exception {
        Valley own = Valley.start(servers.properties(), Map.of("server.port", "0"), "--valley.auth.mode=tokens",
                "--valley.auth.tokens=read:" + READ);
        try {
            String at = "http://127.0.0.1:" + own.api().getEnvironment().getProperty("local.server.port");
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(at + "/api/v1/jobs")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(401);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(at + "/api/v1/jobs"))
                    .header("Authorization", "Bearer " + READ).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isEqualTo(200);
        } finally {
            own.stop();
        }
        assertThat(Valley.arguments(Map.of("valley.auth.mode", "open", "server.port", "0"),
                new String[] {"--valley.auth.mode=tokens", "--debug"}))
                .containsExactlyInAnyOrder("--valley.auth.mode=tokens", "--server.port=0", "--debug");
    }

    @Test
    void aValleyOpenToTheNetworkOrWithoutTokensDoesNotStart() {
        Map<String, Object> open = new LinkedHashMap<>(Map.of("server.port", "0", "server.address", "0.0.0.0",
                "valley.auth.mode", "open"));
        assertThatThrownBy(() -> Valley.start(servers.properties(), open))
                .rootCause().hasMessageContaining("needs server.address on a loopback address")
                .hasMessageContaining("0.0.0.0");
        assertThatThrownBy(() -> Valley.start(servers.properties(), Map.of("server.port", "0",
                "valley.auth.mode", "tokens")))
                .rootCause().hasMessageContaining("valley.auth.tokens is empty");
        assertThatThrownBy(() -> Valley.start(servers.properties(), Map.of("server.port", "0",
                "valley.auth.mode", "tokens", "valley.auth.tokens", "admin:short,read:" + READ)))
                .rootCause().hasMessageContaining("valley.auth.tokens[0] has a token of 5 characters")
                .hasMessageNotContaining("short");
        assertThatThrownBy(() -> Valley.start(servers.properties(), Map.of("server.port", "0",
                "valley.auth.mode", "tokens", "valley.auth.tokens", "owner:" + ADMIN)))
                .rootCause().hasMessageContaining("has role 'owner'");
    }
}
