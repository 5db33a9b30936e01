package dev.valley.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Commands on this host, run in the repository's root, for the deploy tests that drive a Docker engine. */
final class Host {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Host() {
    }

    record Result(int exit, String out) {
    }

    /**
     * Skips the calling test where no Docker engine answers, unless {@code VALLEY_TEST_DOCKER=required} ({@code
     * .ci/run} sets it where it started one): then the engine's absence fails it.
     */
    static void assumeDockerEngine() {
        boolean engine = run(Duration.ofSeconds(30), false, Map.of(), "docker", "info").exit() == 0;
        if ("required".equals(System.getenv("VALLEY_TEST_DOCKER"))) {
            assertThat(engine).as("a Docker engine (VALLEY_TEST_DOCKER=required)").isTrue();
        }
        assumeThat(engine).as("no Docker engine answers here").isTrue();
    }

    /** Runs the command, which must succeed (the assertion shows its output otherwise); its output, stripped. */
    static String succeed(Duration timeout, Map<String, String> env, List<String> command) {
        Result result = run(timeout, false, env, command.toArray(String[]::new));
        assertThat(result.exit()).as(String.join(" ", command) + "\n" + result.out()).isZero();
        return result.out().strip();
    }

    /** The command's output and error together (echoed line by line as it comes, if asked); -1 if it could not run
     * or ran past {@code timeout} (then it is killed). */
    static Result run(Duration timeout, boolean echo, Map<String, String> env, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Result(-1, e.toString());
        }
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var lines = process.inputReader(StandardCharsets.UTF_8)) {
                lines.lines().forEach(line -> {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                    if (echo) {
                        System.out.println(line);
                    }
                });
            } catch (IOException | UncheckedIOException ignored) {
                // the process ended
            }
        });
        reader.start();
        try {
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + timeout + ": " + String.join(" ", command));
            }
            reader.join();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted: " + String.join(" ", command));
        }
        synchronized (out) {
            return new Result(process.exitValue(), out.toString());
        }
    }
}
