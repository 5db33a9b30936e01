package dev.valley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's "Two commands" on a stock Debian 12, as a newcomer meets them: {@code tools/fresh-machine.sh} makes a
 * container from Debian's packages and exactly the prerequisites table, then {@code git clone}, {@code ./valley up}
 * with empty Maven and npm caches (as root it must stop at once with its one-line reason; as a user it must come up),
 * a training job through curl to SUCCEEDED, and the dashboard's page and script. Prints each step's time. Skipped
 * without a Docker engine, unless {@code VALLEY_TEST_DOCKER=required}.
 */
class FreshMachineTest {
    @Test
    void aStockDebian12WithTheReadmesPrerequisitesClonesStartsValleyAndRunsAJob() {
        Host.assumeDockerEngine();
        Host.Result result = Host.run(Duration.ofMinutes(20), true, Map.of(), "tools/fresh-machine.sh");
        assertThat(result.exit()).as(result.out()).isZero();
        assertThat(result.out()).contains("as root: missing  user").contains("a fashion-mnist training job")
                .contains("the dashboard page and its script load").endsWith("fresh machine: ok\n");
    }
}
