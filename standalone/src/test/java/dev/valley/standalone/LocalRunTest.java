package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.valley.embedded.Credentials;
import dev.valley.embedded.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `./valley up` as a user starts it: {@link Valley#main} in a JVM of its own, configured by the environment alone.
 * {@code VALLEY_AUTH_MODE=tokens VALLEY_AUTH_TOKENS=… ./valley up} runs in token mode (the launcher's open default
 * gives way to the environment), and the embedded servers take the state folder's own credentials.
 */
class LocalRunTest {
    private static final String READ = "local-reader-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path home;

    @Test
    void valleyUpRunsInTokenModeFromTheEnvironment() throws Exception {
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-Xmx2g", "-Dai.djl.offline=true", "-cp",
                System.getProperty("java.class.path"), Valley.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve("valley.log").toFile());
        builder.environment().put("VALLEY_HOME", home.resolve("state").toString());
        builder.environment().put("VALLEY_PORT", Integer.toString(port));
        builder.environment().put("VALLEY_AUTH_MODE", "tokens");
        builder.environment().put("VALLEY_AUTH_TOKENS", "read:" + READ);
        builder.environment().put("DJL_OFFLINE", "true");
        Process valley = builder.start();
        String base = "http://127.0.0.1:" + port;
        try {
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> {
                assertThat(valley.isAlive()).as(() -> log()).isTrue();
                return status(base + "/actuator/health/readiness", null) == 200;
            });
            assertThat(status(base + "/api/v1/jobs", null)).isEqualTo(401);
            assertThat(status(base + "/api/v1/jobs", READ)).isEqualTo(200);
            Path credentials = home.resolve("state").resolve(Credentials.FILE);
            assertThat(Files.getPosixFilePermissions(credentials))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(Files.readString(home.resolve("state/postgres/pg_hba.conf"))).contains("scram-sha-256")
                    .doesNotContain("trust");
        } finally {
            valley.destroy();
            valley.waitFor();
        }
    }

    private String log() {
        try {
            String log = Files.readString(home.resolve("valley.log"));
            return log.substring(Math.max(0, log.length() - 4000));
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static int status(String url, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException | InterruptedException e) {
            return -1;
        }
    }
}
