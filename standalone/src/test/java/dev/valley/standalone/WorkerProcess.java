package dev.valley.standalone;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker in a JVM of its own, on the test's classpath and servers, so that a test can SIGKILL it (a worker in the
 * test's own JVM can only be closed gracefully).
 */
final class WorkerProcess implements AutoCloseable {
    private final Process process;
    private final String id;

    private WorkerProcess(Process process, String id) {
        this.process = process;
        this.id = id;
    }

    static WorkerProcess start(Map<String, Object> servers, String id) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx2g", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), "dev.valley.worker.WorkerApplication"));
        servers.forEach((k, v) -> command.add("--" + k + "=" + v));
        command.add("--spring.autoconfigure.exclude=" + Valley.WORKER_EXCLUDES);
        command.add("--valley.worker.id=" + id);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DJL_OFFLINE", "true");
        Process process = builder.start();
        CountDownLatch ready = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    System.out.println("[" + id + "] " + line);
                    if (line.contains("Started WorkerApplication")) {
                        ready.countDown();
                    }
                }
            } catch (java.io.IOException e) {
                // the process is gone
            }
        }, "worker-" + id + "-output");
        pump.setDaemon(true);
        pump.start();
        if (!ready.await(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("worker " + id + " did not start");
        }
        return new WorkerProcess(process, id);
    }

    String id() {
        return id;
    }

    /** SIGKILL: no shutdown hook, no goodbye to the broker; its unacknowledged dispatch goes back to the queue. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
