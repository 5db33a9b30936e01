package dev.valley.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code tools/gpu-check.sh}, the script an operator runs on a GPU machine, run here as far as a machine without a
 * GPU allows: on the CPU ({@code VALLEY_GPU_CHECK_DEVICE=cpu}) with the CPU worker's image, which carries the same
 * jar and datasets as the GPU worker's (a GPU is what these machines lack, so the CUDA path itself is not run). Each
 * check must print one JSON line, in order, with figures that make sense; the grid's line must show Valley's
 * first-layer algebra agreeing with the plain per-point loop it is measured against.
 *
 * <p>Needs a Docker engine and debootstrap, as {@link ComposeStackTest} does; skipped without an engine unless
 * {@code VALLEY_TEST_DOCKER=required}.
 */
class GpuCheckTest {

    @Test
    @SuppressWarnings("unchecked")
    void printsOneJsonLinePerCheck() {
        Host.assumeDockerEngine();
        Host.Result images = Host.run(Duration.ofMinutes(20), true, Map.of(), "tools/local-images.sh");
        assertThat(images.exit()).as(images.out()).isZero();

        Host.Result check = Host.run(Duration.ofMinutes(10), true, Map.of("VALLEY_GPU_CHECK_DEVICE", "cpu",
                "VALLEY_WORKER_IMAGE", "valley/cpu-worker:0.1.0"), "tools/gpu-check.sh", "1");
        assertThat(check.exit()).as(check.out()).isZero();
        Yaml json = new Yaml();
        List<Map<String, Object>> lines = check.out().lines().filter(l -> l.startsWith("{"))
                .map(l -> (Map<String, Object>) json.load(l)).toList();
        assertThat(lines).extracting(l -> l.get("check"))
                .containsExactly("gpu", "engine", "matmul", "training", "grid", "training-bf16", "grid-bf16");

        Map<String, Object> engine = lines.get(1);
        assertThat(engine.get("device")).isEqualTo("cpu()");
        assertThat(engine.get("version")).isEqualTo("2.7.1");
        assertThat(engine.get("productRight")).as(engine.toString()).isEqualTo(true);
        assertThat(number(lines.get(2), "matmulGflops")).isPositive();

        Map<String, Object> training = lines.get(3);
        assertThat(training.get("trainExamples")).isEqualTo(60_000);
        assertThat(number(training, "samplesPerSecond")).isPositive();
        // The epoch as a job sees it takes longer than its steps alone: the evaluation and the checkpoint.
        assertThat(number(training, "epochSamplesPerSecond")).isPositive()
                .isLessThan(number(training, "samplesPerSecond"));

        Map<String, Object> grid = lines.get(4);
        assertThat(grid.get("rows")).isEqualTo(1);
        assertThat(number(grid, "pointsPerSecond")).isPositive();
        assertThat(number(grid, "boundPointsPerSecond")).isPositive();
        assertThat(number(grid, "largestRelativeDifference")).isLessThan(1e-4);

        // bf16 (on the CPU only for this check's MLP): it ran, and its grid values are within bf16's precision of
        // the float32 per-point loop's, but not equal to them.
        Map<String, Object> trainingBf16 = lines.get(5);
        assertThat(trainingBf16.get("precision")).isEqualTo("bf16");
        assertThat(number(trainingBf16, "samplesPerSecond")).isPositive();
        Map<String, Object> gridBf16 = lines.get(6);
        assertThat(gridBf16.get("precision")).isEqualTo("bf16");
        assertThat(number(gridBf16, "largestRelativeDifference")).isLessThan(0.03).isGreaterThan(1e-7);
    }

    private static double number(Map<String, Object> line, String name) {
        assertThat(line).as(line.toString()).containsKey(name);
        return ((Number) line.get(name)).doubleValue();
    }
}
