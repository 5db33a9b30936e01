package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./valley doctor}, run as a user runs it: one line per prerequisite in a fixed format, "missing" with its fix
 * for what would stop Valley, and a non-zero exit then; {@code ./valley up} stops early on the same finding, before
 * it builds or starts anything.
 */
class DoctorTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Run(int exit, String output) {
    }

    private static Run valley(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("bash", ROOT.resolve("valley").toString()));
        command.addAll(List.of(args));
        return run(command, env);
    }

    private static Run run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
    }

    @Test
    void everyPrerequisiteHasALineAndABusyPortStopsUpBeforeItStarts() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int freePort = free.getLocalPort();
            free.close();
            Run ok = valley(Map.of("VALLEY_PORT", Integer.toString(freePort)), "doctor");
            System.out.print(ok.output());
            List<String> lines = ok.output().lines().toList();
            assertThat(lines).extracting(l -> l.split("\\s+")[1]).containsExactly("user", "java", "maven", "node",
                    "fashion-mnist", "port", "disk", "docker", "gpu");
            assertThat(lines).allMatch(l -> l.matches("(ok|warn|missing) +[a-z-]+ +\\S.*"));
            assertThat(ok.output()).contains("ok       port            " + freePort + " is free");
            // This machine has what Valley needs (CI installs it): nothing missing, exit 0.
            assertThat(ok.output()).doesNotContain("missing");
            assertThat(ok.exit()).isZero();

            Map<String, String> taken = Map.of("VALLEY_PORT", Integer.toString(busy.getLocalPort()));
            Run refused = valley(taken, "doctor");
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.output()).contains("missing  port            " + busy.getLocalPort()
                    + " is in use: stop what listens there, or set VALLEY_PORT to a free port");

            Run up = valley(taken, "up");
            assertThat(up.exit()).isEqualTo(1);
            assertThat(up.output()).contains(busy.getLocalPort() + " is in use")
                    .contains("./valley up stops here").doesNotContain("building Valley").doesNotContain("ok ");
        }
    }

    /**
     * Ubuntu 22.04's Node is 12: an old Node (here a stand-in that answers as Ubuntu's does, first on the PATH) is a
     * warning, not a stop, and the dashboard's build skips in one line with a page that says how to get it, exit 0.
     */
    @Test
    void anOldNodeIsAWarningAndTheDashboardBuildSkipsInOneLine(@TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String tool : List.of("node", "npm")) {
            Path script = bin.resolve(tool);
            Files.writeString(script, "#!/bin/sh\necho " + (tool.equals("node") ? "v12.22.9" : "8.5.1") + "\n");
            script.toFile().setExecutable(true);
        }
        Map<String, String> oldNode = Map.of("PATH", bin + ":" + System.getenv("PATH"));
        Run doctor = valley(oldNode, "doctor");
        assertThat(doctor.output()).containsPattern("warn +node +found v12.22.9; the dashboard \\(Vite 6\\) needs Node 18");
        assertThat(doctor.output()).doesNotContain("missing");
        assertThat(doctor.exit()).isZero();

        Path out = tmp.resolve("static");
        Run build = run(List.of("bash", ROOT.resolve("web-client/build.sh").toString(), out.toString()), oldNode);
        assertThat(build.exit()).isZero();
        assertThat(build.output().lines()).singleElement().asString().startsWith("web-client: dashboard skipped")
                .contains("Node 12").contains("apt-get install nodejs npm");
        assertThat(Files.readString(out.resolve("index.html"))).contains("The dashboard was not built")
                .contains("api/v1/openapi");
    }
}
