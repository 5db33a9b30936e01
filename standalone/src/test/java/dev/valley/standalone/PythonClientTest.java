package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Python client's pytest suite (clients/python/tests) against a whole Valley on the suite's servers: the
 * walkthrough from submission to numpy arrays, the job methods regenerated from the live OpenAPI document, and the
 * client's handling of dropped streams and corrupt downloads, and modules of the user's own as TorchScript. It runs
 * Debian's python3 with Debian's httpx, numpy, tqdm, pytest and torch ({@code VALLEY_PYTHON} names another
 * interpreter).
 */
class PythonClientTest {
    private static Valley valley;

    @BeforeAll
    static void start() {
        valley = Valley.start(Infrastructure.forTests().properties(), Map.of("server.port", "0"));
    }

    @AfterAll
    static void stop() {
        valley.stop();
    }

    @Test
    void theClientsTestsPassAgainstARealValley() throws Exception {
        String python = System.getenv().getOrDefault("VALLEY_PYTHON",
                Files.exists(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
        Path client = Path.of("..", "clients", "python").toAbsolutePath().normalize();
        Path log = Path.of("target", "python-client.log").toAbsolutePath();
        Process check = new ProcessBuilder(python, "-c", "import httpx, numpy, tqdm, pytest, torch")
                .redirectErrorStream(true).start();
        String missing = new String(check.getInputStream().readAllBytes());
        assertThat(check.waitFor()).as("%s lacks the client's packages (apt-get install python3-httpx python3-numpy "
                + "python3-tqdm python3-pytest python3-torch; .ci/run installs them): %s", python, missing).isZero();

        ProcessBuilder pytest = new ProcessBuilder(List.of(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "tests")).directory(client.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pytest.environment().put("VALLEY_URL",
                "http://127.0.0.1:" + valley.api().getEnvironment().getProperty("local.server.port"));
        pytest.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process run = pytest.start();
        boolean ended = run.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            run.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(ended).as("pytest ended within 10 minutes: " + output).isTrue();
        assertThat(run.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("\\d+ passed").doesNotContain("skipped");
    }
}
