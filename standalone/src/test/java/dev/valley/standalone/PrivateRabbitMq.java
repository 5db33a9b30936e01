package dev.valley.standalone;

import static org.awaitility.Awaitility.await;

import dev.valley.embedded.FreePorts;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A RabbitMQ node of a test's own, from this machine's RabbitMQ binaries, with its data in a directory of the test's:
 * the test may stop and start it, and durable queues keep their persistent messages across, as a production broker
 * does. Where the machine has no RabbitMQ the test is skipped, except under CI, which installs it.
 */
final class PrivateRabbitMq implements AutoCloseable {
    private static final Path BIN = Path.of("/usr/lib/rabbitmq/bin");

    private final Path home;
    private final String node;
    private final int port;
    private final int distPort;

    private PrivateRabbitMq(Path home) {
        this.home = home;
        this.port = FreePorts.next();
        this.distPort = FreePorts.next();
        this.node = "valley" + port + "@localhost";
    }

    static PrivateRabbitMq start(Path home) throws Exception {
        boolean present = Files.isExecutable(BIN.resolve("rabbitmq-server"));
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI must have RabbitMQ (" + BIN + "); .ci/run installs it");
        }
        Assumptions.assumeTrue(present, "this machine has no RabbitMQ under " + BIN);
        PrivateRabbitMq broker = new PrivateRabbitMq(home);
        Files.createDirectories(home);
        Files.writeString(home.resolve("enabled_plugins"), "[].");
        broker.up();
        return broker;
    }

    int port() {
        return port;
    }

    /** Starts the node and waits until it takes AMQP connections. */
    void up() throws Exception {
        run(BIN.resolve("rabbitmq-server").toString(), "-detached");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(this::accepts);
    }

    /** Stops the node (its durable queues and persistent messages stay on disk) and waits until it is gone. */
    void down() throws Exception {
        run(BIN.resolve("rabbitmqctl").toString(), "-n", node, "stop");
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> !accepts());
    }

    private boolean accepts() {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void run(String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                .redirectOutput(home.resolve("commands.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("RABBITMQ_NODENAME", node);
        env.put("RABBITMQ_NODE_PORT", Integer.toString(port));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", home.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", home.resolve("log").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", home.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONFIG_FILE", home.resolve("rabbitmq").toString());
        Process process = builder.start();
        if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed; see " + home.resolve("commands.log"));
        }
    }

    @Override
    public void close() throws Exception {
        if (accepts()) {
            down();
        }
    }
}
