package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.valley.embedded.Infrastructure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: Debian's Chromium, driven by playwright-core from web-client/e2e/dashboard.mjs
 * against a whole Valley. The script submits a pipeline through the forms, watches it finish live, checks every
 * plot drew data and that a spec error shows at its field; its screenshots are kept in target/screenshots.
 */
class DashboardBrowserTest {
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
    void aPipelineSubmittedThroughTheFormsIsWatchedToItsEndAndDrawn() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertThat(chromium).as("Debian's chromium (apt-get install chromium; .ci/run installs it)").exists();
        Path webClient = Path.of("..", "web-client").toAbsolutePath().normalize();
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        String base = "http://127.0.0.1:" + valley.api().getEnvironment().getProperty("local.server.port");
        Process node = new ProcessBuilder("node", "e2e/dashboard.mjs", base, screenshots.toString())
                .directory(webClient.toFile()).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "dashboard-e2e.log").toFile()).start();
        boolean ended = node.waitFor(8, TimeUnit.MINUTES);
        if (!ended) {
            node.destroyForcibly();
        }
        String log = Files.readString(Path.of("target", "dashboard-e2e.log"));
        System.out.println(log);
        assertThat(ended).as("the browser run ended within 8 minutes: " + log).isTrue();
        assertThat(node.exitValue()).as(log).isZero();
        assertThat(screenshots.resolve("job-grid.png")).exists();
    }
}
