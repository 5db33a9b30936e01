package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.databind.JsonNode;

/**
 * A test class's own Valley: the api-service and a worker in this process, on the tests' servers, started before the
 * class's tests and stopped after them; and what such tests ask of it most.
 */
abstract class OwnValley {
    static Valley valley;
    static ApiClient api;

    @BeforeAll
    static void startValley() {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0"));
        api = new ApiClient(valley);
    }

    @AfterAll
    static void stopValley() {
        valley.stop();
    }

    /** Submits a job and returns its id. */
    static String submit(String body) throws Exception {
        return api.submit(body).get("id").asString();
    }

    /** The job once it has ended, which must be in success. */
    static JsonNode succeeded(String id, Duration atMost) {
        JsonNode done = api.awaitEnd(id, atMost);
        assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
    }
}
