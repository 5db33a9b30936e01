package dev.valley.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard builds with the Node that Debian 12 ships (18): `.ci/run` unpacks Debian's nodejs 18 beside the
 * machine's own node and names it in {@code VALLEY_NODE18}; this test type-checks and bundles the web-client with it
 * (the packages the Maven build installed), as build.sh does with the system's node. Skipped, saying why, where no
 * such node was unpacked.
 */
class DashboardNode18Test {

    @Test
    void theDashboardBuildsWithDebiansNode18(@TempDir Path out) throws Exception {
        String configured = System.getenv("VALLEY_NODE18");
        Assumptions.assumeTrue(configured != null && Files.isExecutable(Path.of(configured)),
                "VALLEY_NODE18 names no node (.ci/run unpacks Debian's nodejs 18 and sets it)");
        Path node = Path.of(configured).toAbsolutePath();
        Path web = Path.of("..", "web-client").toAbsolutePath().normalize();
        assertThat(web.resolve("node_modules/vite/bin/vite.js")).as("the web-client module's npm install").exists();
        Map<String, String> env = Map.of("LD_LIBRARY_PATH",
                node.getParent().getParent().resolve("lib/x86_64-linux-gnu").toString(), "VALLEY_WEB_OUT",
                out.toString());

        assertThat(run(web, env, node.toString(), "--version")).startsWith("v18.");
        run(web, env, node.toString(), "node_modules/typescript/bin/tsc", "--noEmit");
        String build = run(web, env, node.toString(), "node_modules/vite/bin/vite.js", "build");
        System.out.println("the dashboard built with Debian's Node 18:\n" + build);
        String index = Files.readString(out.resolve("index.html"));
        String script = index.replaceAll("(?s).*src=\"\\./(assets/index-[^\"]+\\.js)\".*", "$1");
        assertThat(out.resolve(script)).exists();
        assertThat(Files.size(out.resolve(script))).isGreaterThan(1_000_000); // Plotly is in it
    }

    private static String run(Path dir, Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process p = builder.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
        return output;
    }
}
