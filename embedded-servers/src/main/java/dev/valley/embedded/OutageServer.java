package dev.valley.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

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
        Map<String, Object> properties = new LinkedHashMap<>();
        if (Infrastructure.containers()) {
            ServerContainer container = ServerContainer.rabbitmq(credentials.brokerUser(),
                    credentials.brokerPassword());
            Infrastructure.broker(properties, container.host(), container.port(), credentials.brokerUser(),
                    credentials.brokerPassword());
            return new InContainer(container, properties);
        }
        int port = FreePorts.next();
        Supplier<EmbeddedBroker> starter = () -> EmbeddedBroker.start(dir, port, credentials.brokerUser(),
                credentials.brokerPassword());
        EmbeddedBroker first = starter.get();
        Infrastructure.embeddedBroker(properties, first);
        return new Embedded("embedded Qpid Broker-J", first, starter, properties);
    }

    /** A PostgreSQL of the test's own; an embedded one keeps its data under {@code dir}. */
    public static OutageServer database(Path dir) {
        String password = Credentials.generate().databasePassword();
        Map<String, Object> properties = new LinkedHashMap<>();
        if (Infrastructure.containers()) {
            ServerContainer container = ServerContainer.postgres(password);
            Infrastructure.database(properties, container.jdbcUrl(), ServerContainer.POSTGRES_USER, password);
            return new InContainer(container, properties);
        }
        int port = FreePorts.next();
        Supplier<EmbeddedDatabase> starter = () -> EmbeddedDatabase.start(dir, port, password);
        EmbeddedDatabase first = starter.get();
        Infrastructure.database(properties, first.jdbcUrl(), first.username(), password);
        return new Embedded("embedded PostgreSQL", first, starter, properties);
    }

    private static final class Embedded extends OutageServer {
        private final String description;
        private final Supplier<? extends AutoCloseable> starter;
        private AutoCloseable running;

        /** {@code running}: the first server {@code starter} started; each {@link #start} starts another. */
        Embedded(String description, AutoCloseable running, Supplier<? extends AutoCloseable> starter,
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
