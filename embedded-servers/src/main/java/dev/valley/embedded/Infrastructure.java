package dev.valley.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The servers Valley needs, as Spring properties both services read: PostgreSQL, an AMQP broker and an S3 store.
 * {@link #embedded} starts all three in-process; {@link #forTests} runs PostgreSQL and RabbitMQ in containers with
 * {@code VALLEY_TEST_SERVERS=containers}, else uses this machine's real ones where the environment names them (as
 * .ci/run does), and embedded ones otherwise. S3 is always embedded: no test machine runs an S3 server.
 */
public final class Infrastructure implements AutoCloseable {
    /** JDBC URL of a real PostgreSQL for tests, e.g. jdbc:postgresql://127.0.0.1:5432/test */
    public static final String TEST_POSTGRES_URL = "VALLEY_TEST_POSTGRES_URL";
    public static final String TEST_POSTGRES_USER = "VALLEY_TEST_POSTGRES_USER";
    /** host:port of a real RabbitMQ for tests (guest/guest), e.g. 127.0.0.1:5672 */
    public static final String TEST_RABBITMQ = "VALLEY_TEST_RABBITMQ";
    /** {@code containers}: PostgreSQL and RabbitMQ in containers through Testcontainers ({@link ServerContainer}). */
    public static final String TEST_SERVERS = "VALLEY_TEST_SERVERS";

    private static Infrastructure forTests;

    private final Map<String, Object> properties;
    private final List<AutoCloseable> servers;
    private final String description;

    private Infrastructure(Map<String, Object> properties, List<AutoCloseable> servers, String description) {
        this.properties = Map.copyOf(properties);
        this.servers = List.copyOf(servers);
        this.description = description;
    }

    /**
     * All three servers in-process, their state under {@code home}: what `./valley up` runs on. Their credentials are
     * the folder's own ({@link Credentials#in}).
     */
    public static Infrastructure embedded(Path home) {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            Credentials credentials = Credentials.in(home);
            EmbeddedDatabase database = EmbeddedDatabase.start(home.resolve("postgres"),
                    credentials.databasePassword());
            started.add(database);
            EmbeddedBroker broker = EmbeddedBroker.start(home.resolve("broker"), credentials.brokerUser(),
                    credentials.brokerPassword());
            started.add(broker);
            EmbeddedObjectStore store = EmbeddedObjectStore.start(home.resolve("objects"),
                    credentials.storageAccessKey(), credentials.storageSecretKey());
            started.add(store);
            Map<String, Object> p = new LinkedHashMap<>();
            database(p, database.jdbcUrl(), database.username(), credentials.databasePassword());
            embeddedBroker(p, broker);
            storage(p, store, credentials);
            // The embedded broker keeps its queues in memory: what it held before this start must be sent again.
            p.put("valley.dispatch.republish-on-start", true);
            return new Infrastructure(p, started, "embedded PostgreSQL, Qpid Broker-J and S3Proxy under " + home);
        } catch (RuntimeException e) {
            closeAll(started);
            throw e;
        }
    }

    /**
     * One set of servers per test JVM, stopped when it exits. On a shared real PostgreSQL the run gets a schema of
     * its own, and on a shared broker a worker pool of its own, so runs never see each other's jobs.
     */
    public static synchronized Infrastructure forTests() {
        if (forTests != null) {
            return forTests;
        }
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Path home;
        try {
            home = Files.createTempDirectory("valley-test-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<AutoCloseable> started = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        Map<String, Object> p = new LinkedHashMap<>();
        Credentials credentials = Credentials.in(home);
        if (containers()) {
            ServerContainer database = ServerContainer.postgres(credentials.databasePassword());
            started.add(database);
            database(p, database.jdbcUrl(), ServerContainer.POSTGRES_USER, credentials.databasePassword());
            ServerContainer broker = ServerContainer.rabbitmq(credentials.brokerUser(), credentials.brokerPassword());
            started.add(broker);
            broker(p, broker.host(), broker.port(), credentials.brokerUser(), credentials.brokerPassword());
            parts.add("PostgreSQL and RabbitMQ in containers of " + database.image() + " and " + broker.image());
        } else {
            realOrEmbedded(p, parts, started, home, credentials, run);
        }
        String pool = "test-" + run;
        p.put("valley.dispatch.default-pool", pool);
        p.put("valley.worker.pool", pool);
        // Its own events queue too: on a shared broker, another run's api-service must not take this run's events.
        p.put("valley.dispatch.events-queue", "valley.events." + pool);
        p.put("valley.worker.events-queue", "valley.events." + pool);
        EmbeddedObjectStore store = EmbeddedObjectStore.start(home.resolve("objects"),
                credentials.storageAccessKey(), credentials.storageSecretKey());
        started.add(store);
        storage(p, store, credentials);
        parts.add("embedded S3Proxy");
        forTests = new Infrastructure(p, started, String.join(", ", parts));
        Runtime.getRuntime().addShutdownHook(new Thread(forTests::close, "valley-test-servers-stop"));
        System.out.println("Valley test servers: " + forTests.description());
        return forTests;
    }

    /** This machine's PostgreSQL and RabbitMQ where the environment names them, embedded ones otherwise. */
    private static void realOrEmbedded(Map<String, Object> p, List<String> parts, List<AutoCloseable> started,
            Path home, Credentials credentials, String run) {
        String pgUrl = System.getenv(TEST_POSTGRES_URL);
        if (pgUrl != null && !pgUrl.isBlank()) {
            String schema = "valley_test_" + run;
            database(p, pgUrl + (pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema,
                    System.getenv().getOrDefault(TEST_POSTGRES_USER, "postgres"), "");
            p.put("spring.flyway.schemas", schema);
            parts.add("PostgreSQL at " + pgUrl + " (schema " + schema + ")");
        } else {
            EmbeddedDatabase database = EmbeddedDatabase.start(home.resolve("postgres"),
                    credentials.databasePassword());
            started.add(database);
            database(p, database.jdbcUrl(), database.username(), credentials.databasePassword());
            parts.add("embedded PostgreSQL");
        }
        String rabbit = System.getenv(TEST_RABBITMQ);
        if (rabbit != null && !rabbit.isBlank()) {
            String[] hostPort = rabbit.split(":");
            broker(p, hostPort[0], hostPort.length > 1 ? Integer.parseInt(hostPort[1]) : 5672, "guest", "guest");
            parts.add("RabbitMQ at " + rabbit);
        } else {
            EmbeddedBroker broker = EmbeddedBroker.start(home.resolve("broker"), credentials.brokerUser(),
                    credentials.brokerPassword());
            started.add(broker);
            embeddedBroker(p, broker);
            parts.add("embedded Qpid Broker-J");
        }
    }

    /** Whether the tests run their servers in containers ({@code VALLEY_TEST_SERVERS=containers}). */
    public static boolean containers() {
        return "containers".equals(System.getenv(TEST_SERVERS));
    }

    static void database(Map<String, Object> p, String url, String user, String password) {
        p.put("spring.datasource.url", url);
        p.put("spring.datasource.username", user);
        p.put("spring.datasource.password", password);
    }

    /** Spring properties for an embedded broker: {@link #broker} and its quiet idle. */
    static void embeddedBroker(Map<String, Object> p, EmbeddedBroker broker) {
        broker(p, broker.host(), broker.port(), broker.user(), broker.password());
        // Qpid logs a subscription's creation and close for every basic.get, so an idle worker's poll (4 a second)
        // would fill the log: 400 lines in 50 idle seconds.
        p.put("logging.level.qpid.message.subscription", "WARN");
    }

    /** This machine's RabbitMQ for tests is Debian's, with its guest user; an embedded broker has its own. */
    static void broker(Map<String, Object> p, String host, int port, String user, String password) {
        p.put("spring.rabbitmq.host", host);
        p.put("spring.rabbitmq.port", port);
        p.put("spring.rabbitmq.username", user);
        p.put("spring.rabbitmq.password", password);
    }

    private static void storage(Map<String, Object> p, EmbeddedObjectStore store, Credentials credentials) {
        p.put("valley.storage.endpoint", store.endpoint().toString());
        p.put("valley.storage.access-key", credentials.storageAccessKey());
        p.put("valley.storage.secret-key", credentials.storageSecretKey());
    }

    /** Spring properties pointing both services at these servers. */
    public Map<String, Object> properties() {
        return properties;
    }

    public String description() {
        return description;
    }

    @Override
    public void close() {
        closeAll(servers);
    }

    private static void closeAll(List<AutoCloseable> servers) {
        for (int i = servers.size() - 1; i >= 0; i--) {
            try {
                servers.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping " + servers.get(i).getClass().getSimpleName() + " failed: " + e);
            }
        }
    }
}
