package dev.valley.embedded;

import java.nio.file.Path;
import java.util.Map;

/**
 * A server of a test's own that the test takes down and brings back at the same address, with what it stored: an
 * outage. Embedded (Qpid Broker-J, zonky's PostgreSQL) by default; a container in {@code VALLEY_TEST_SERVERS=containers}
 * mode (RabbitMQ, PostgreSQL), which a real outage stops and starts.
 */
public abstract class OutageServer implements AutoCloseable {
    private final Map<String, Object> properties;

    private OutageServer(Map<String, Object> properties) {
        this.properties = Map.copyOf(properties);
    }

    /** Spring properties pointing both services at this server. */
    public Map<String, Object> properties() {
        return properties;
    }

    /** Down: connections are refused until {@link #start}. */
    public abstract void stop();

    /** Back where it was, ready for connections. */
    public abstract void start();

    @Override
    public abstract void close();

    /** What it is, for a test's printed figures. */
    public abstract String description();

    /** An AMQP broker of the test's own; an embedded one keeps its state under {@code dir}. */
    public static OutageServer broker(Path dir) {
        Credentials credentials = Credentials.generate();
        if (Infrastructure.containers()) {
            ServerContainer container = ServerContainer.rabbitmq(credentials.brokerUser(),
                    credentials.brokerPassword());
            return new InContainer(container, Map.of("spring.rabbitmq.host", container.host(), "spring.rabbitmq.port",
                    container.port(), "spring.rabbitmq.username", credentials.brokerUser(), "spring.rabbitmq.password",
                    credentials.brokerPassword()));
        }
        int port = FreePorts.next();
        return new Embedded("embedded Qpid Broker-J", () -> EmbeddedBroker.start(dir, port, credentials.brokerUser(),
                credentials.brokerPassword()), Map.of("spring.rabbitmq.host", "127.0.0.1", "spring.rabbitmq.port", port,
                "spring.rabbitmq.username", credentials.brokerUser(), "spring.rabbitmq.password",
                credentials.brokerPassword()));
    }

    /** A PostgreSQL of the test's own; an embedded one keeps its data under {@code dir}. */
    public static OutageServer database(Path dir) {
        String password = Credentials.generate().databasePassword();
        if (Infrastructure.containers()) {
            ServerContainer container = ServerContainer.postgres(password);
            return new InContainer(container, Map.of("spring.datasource.url", "jdbc:postgresql://" + container.host()
                    + ":" + container.port() + "/valley", "spring.datasource.username", "valley",
                    "spring.datasource.password", password));
        }
        int port = FreePorts.next();
        EmbeddedDatabase first = EmbeddedDatabase.start(dir, port, password);
        Map<String, Object> properties = Map.of("spring.datasource.url", first.jdbcUrl(), "spring.datasource.username",
                first.username(), "spring.datasource.password", password);
        return new Embedded("embedded PostgreSQL", first, () -> EmbeddedDatabase.start(dir, port, password),
                properties);
    }

    private static final class Embedded extends OutageServer {
        private final String description;
        private final java.util.function.Supplier<AutoCloseable> starter;
        private AutoCloseable running;

        Embedded(String description, java.util.function.Supplier<AutoCloseable> starter,
                Map<String, Object> properties) {
            this(description, starter.get(), starter, properties);
        }

        Embedded(String description, AutoCloseable running, java.util.function.Supplier<AutoCloseable> starter,
                Map<String, Object> properties) {
            super(properties);
            this.description = description;
            this.running = running;
            this.starter = starter;
        }

        @Override
        public void stop() {
            close();
        }

        @Override
        public void start() {
            running = starter.get();
        }

        @Override
        public void close() {
            if (running != null) {
                try {
                    running.close();
                } catch (Exception e) {
                    throw new IllegalStateException(description + " did not stop", e);
                }
                running = null;
            }
        }

        @Override
        public String description() {
            return description;
        }
    }

    private static final class InContainer extends OutageServer {
        private final ServerContainer container;

        InContainer(ServerContainer container, Map<String, Object> properties) {
            super(properties);
            this.container = container;
        }

        @Override
        public void stop() {
            container.stop();
        }

        @Override
        public void start() {
            container.start();
        }

        @Override
        public void close() {
            container.close();
        }

        @Override
        public String description() {
            return "a container of " + container.image();
        }
    }
}
