package dev.valley.standalone;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

/**
 * A worker or an api-service in a JVM of its own, on this JVM's classpath (the test classpath, or valley.jar through
 * Spring Boot's launcher) and the given servers, so that a test can SIGKILL it (a service in the test's own JVM can
 * only be closed gracefully) and a benchmark can give a worker its own threads.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final String WORKER = "dev.valley.worker.WorkerApplication";
    private static final String API = "dev.valley.api.ApiApplication";
    private final Process process;
    private final String id;

    private ServiceProcess(Process process, String id) {
        this.process = process;
        this.id = id;
    }

    /** A worker with the tests' JVM options, its output echoed with its id in front. */
    public static ServiceProcess worker(Map<String, Object> servers, String id) throws Exception {
        return worker(servers, id, List.of(), true);
    }

    /**
     * A worker with {@code jvmOptions} added (system properties such as DJL's thread counts); its output is echoed
     * when {@code echo}, otherwise only read (and shown if it never starts).
     */
    public static ServiceProcess worker(Map<String, Object> servers, String id, List<String> jvmOptions, boolean echo)
            throws Exception {
        List<String> arguments = new ArrayList<>();
        servers.forEach((k, v) -> arguments.add("--" + k + "=" + v));
        arguments.add("--spring.autoconfigure.exclude=" + Valley.WORKER_EXCLUDES);
        arguments.add("--valley.worker.id=" + id);
        return start(WORKER, "Started WorkerApplication", arguments, id, jvmOptions, echo);
    }

    /**
     * An api-service on 127.0.0.1:{@code port}, open (no tokens) as this machine's own Valley is, with
     * {@code properties} (the servers and any settings); its output echoed with its id in front.
     */
    public static ServiceProcess api(Map<String, Object> properties, String id, int port) throws Exception {
        List<String> arguments = new ArrayList<>();
        arguments.add("--server.address=127.0.0.1");
        arguments.add("--valley.auth.mode=open");
        properties.forEach((k, v) -> arguments.add("--" + k + "=" + v));
        arguments.add("--server.port=" + port);
        return start(API, "Started ApiApplication", arguments, id, List.of(), true);
    }

    private static ServiceProcess start(String main, String started, List<String> arguments, String id,
            List<String> jvmOptions, boolean echo) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx2g", "-Dai.djl.offline=true"));
        command.addAll(jvmOptions);
        String classPath = System.getProperty("java.class.path");
        command.addAll(List.of("-cp", classPath));
        if (isBootJar(classPath)) {
            command.addAll(List.of("-Dloader.main=" + main, "org.springframework.boot.loader.launch.PropertiesLauncher"));
        } else {
            command.add(main);
        }
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DJL_OFFLINE", "true");
        Process process = builder.start();
        CountDownLatch ready = new CountDownLatch(1);
        StringBuilder head = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (echo) {
                        System.out.println("[" + id + "] " + line);
                    } else if (ready.getCount() > 0 && head.length() < 100_000) {
                        synchronized (head) {
                            head.append(line).append('\n');
                        }
                    }
                    if (line.contains(started)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
        }, "service-" + id + "-output");
        pump.setDaemon(true);
        pump.start();
        if (!ready.await(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            synchronized (head) {
                throw new IllegalStateException(id + " did not start" + (echo ? "" : ":\n" + head));
            }
        }
        return new ServiceProcess(process, id);
    }

    /** valley.jar run through Spring Boot's launcher: its classes are nested, so the service needs the launcher too. */
    private static boolean isBootJar(String classPath) {
        if (classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
            return false;
        }
        try (ZipFile jar = new ZipFile(classPath)) {
            return jar.getEntry("BOOT-INF/") != null || jar.getEntry("BOOT-INF/classes/") != null;
        } catch (IOException e) {
            return false;
        }
    }

    public String id() {
        return id;
    }

    /** SIGKILL: no shutdown hook, no goodbye to the broker; what it had not acknowledged goes back to the queue. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGTERM, as Kubernetes and {@code docker stop} send it: a worker drains (valley.worker.drain) and exits.
     * Returns how long that took; a process still running after {@code atMost} is killed and this throws.
     */
    public Duration terminate(Duration atMost) throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(id + " still ran " + atMost + " after SIGTERM");
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
