package dev.valley.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.server.SystemLauncher;

/**
 * Apache Qpid Broker-J speaking AMQP 0-9-1 with a memory store. Its configuration (qpid-config.json) makes it
 * accept RabbitMQ's queue arguments and dead-letter the way RabbitMQ does; see DESIGN.md. Messages do not survive
 * a restart: the api-service's outbox dispatches again whatever the database says is still queued.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private final SystemLauncher launcher;
    private final int port;
    private final String user;
    private final String password;

    private EmbeddedBroker(SystemLauncher launcher, int port, String user, String password) {
        this.launcher = launcher;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** Its one user is {@code user} with {@code password}. */
    public static EmbeddedBroker start(Path workDir, String user, String password) {
        return start(workDir, FreePorts.next(), user, password);
    }

    /** On a given port, so that a test can stop the broker and start it again where clients look for it. */
    public static EmbeddedBroker start(Path workDir, int port, String user, String password) {
        try {
            Files.createDirectories(workDir);
            Map<String, Object> context = new HashMap<>();
            context.put("qpid.amqp_port", port);
            context.put("qpid.work_dir", workDir.toString());
            context.put("qpid.home_dir", workDir.toString());
            context.put("valley.broker.user", user);
            context.put("valley.broker.password", password);
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("type", "Memory");
            attributes.put("initialConfigurationLocation", writeConfig(workDir).toUri().toString());
            // Qpid's default is a classpath: URL, whose handler the packaged jar's class loader cannot provide.
            Path systemProperties = Files.writeString(workDir.resolve("system.properties"), "");
            attributes.put("initialSystemPropertiesLocation", systemProperties.toUri().toString());
            attributes.put("startupLoggedToSystemOut", false);
            attributes.put("context", context);
            SystemLauncher launcher = new SystemLauncher();
            launcher.startup(attributes);
            return new EmbeddedBroker(launcher, port, user, password);
        } catch (Exception e) {
            throw new IllegalStateException("embedded AMQP broker did not start on port " + port, e);
        }
    }

    /** Qpid opens its configuration by URL; inside a packaged jar only a plain file works. */
    private static Path writeConfig(Path workDir) throws java.io.IOException {
        Path config = workDir.resolve("qpid-config.json");
        try (var in = EmbeddedBroker.class.getResourceAsStream("qpid-config.json")) {
            Files.copy(in, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return config;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    @Override
    public void close() {
        launcher.shutdown();
    }
}
