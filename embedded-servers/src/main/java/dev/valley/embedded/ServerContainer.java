package dev.valley.embedded;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import java.time.Duration;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.containers.wait.strategy.WaitStrategy;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL or RabbitMQ in a container, through Testcontainers, for {@code VALLEY_TEST_SERVERS=containers}. The
 * official image where a registry gives it; where the engine already holds the image {@code tools/local-images.sh}
 * built from Debian's packages (the same variables, the same ports), that one, since these machines reach no registry.
 * {@code VALLEY_TEST_POSTGRES_IMAGE} and {@code VALLEY_TEST_RABBITMQ_IMAGE} name another. Its port on this host is
 * fixed when it starts, so a test may {@link #stop} the server and {@link #start} it again where its clients look for
 * it, with what it stored. Testcontainers needs {@code TESTCONTAINERS_RYUK_DISABLED=true} and {@code
 * TESTCONTAINERS_HOST_OVERRIDE=localhost} without a registry (the build's surefire sets both); every container is
 * removed by {@link #close} or when the JVM exits.
 *
 * <p>This class alone touches Testcontainers, an optional dependency: the embedded and real-server modes never load
 * it.
 */
public final class ServerContainer implements AutoCloseable {
    private static final String LOCAL_POSTGRES = "valley-local/postgres:15";
    private static final String LOCAL_RABBITMQ = "valley-local/rabbitmq:3.10";
    /** The PostgreSQL container's database and user. */
    static final String POSTGRES_USER = "valley";

    private final GenericContainer<?> container;
    private final int port;
    private final String image;
    private final WaitStrategy ready;

    private ServerContainer(GenericContainer<?> container, int port, String image, WaitStrategy ready) {
        this.container = container;
        this.port = port;
        this.image = image;
        this.ready = ready;
    }

    /** PostgreSQL with database and user {@value #POSTGRES_USER} and this password ({@link #jdbcUrl}). */
    public static ServerContainer postgres(String password) {
        String image = image("VALLEY_TEST_POSTGRES_IMAGE", LOCAL_POSTGRES, "postgres:17");
        // Over TCP: the official image's entrypoint first runs a server for its initialisation on the socket only.
        return start(image, 5432, Map.of("POSTGRES_DB", POSTGRES_USER, "POSTGRES_USER", POSTGRES_USER,
                "POSTGRES_PASSWORD", password), "pg_isready -q -h 127.0.0.1");
    }

    /** RabbitMQ with this user. */
    public static ServerContainer rabbitmq(String user, String password) {
        String image = image("VALLEY_TEST_RABBITMQ_IMAGE", LOCAL_RABBITMQ, "rabbitmq:4-management");
        return start(image, 5672, Map.of("RABBITMQ_DEFAULT_USER", user, "RABBITMQ_DEFAULT_PASS", password),
                "rabbitmq-diagnostics -q check_port_connectivity");
    }

    private static String image(String variable, String local, String official) {
        String named = System.getenv(variable);
        if (named != null && !named.isBlank()) {
            return named;
        }
        DockerClient docker = DockerClientFactory.instance().client();
        try {
            docker.inspectImageCmd(local).exec();
            return local;
        } catch (RuntimeException absent) {
            return official;
        }
    }

    /**
     * Ready when {@code readiness} succeeds inside the container, at the first start and after a restart: the same
     * test for the official and the local image, where their log lines differ, and a real one, where Docker's port
     * proxy accepts connections before the server does.
     */
    private static ServerContainer start(String image, int containerPort, Map<String, String> env,
            String readiness) {
        WaitStrategy ready = Wait.forSuccessfulCommand(readiness).withStartupTimeout(Duration.ofMinutes(3));
        int port = FreePorts.next();
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withExposedPorts(containerPort)
                .withEnv(env)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                        new PortBinding(Ports.Binding.bindPort(port), ExposedPort.tcp(containerPort))))
                .waitingFor(ready);
        try {
            container.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException(image + " did not start in a container (where no registry is reachable,"
                    + " tools/local-images.sh builds the local images these tests take): " + e.getMessage(), e);
        }
        ServerContainer started = new ServerContainer(container, port, image, ready);
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "valley-container-stop"));
        return started;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String image() {
        return image;
    }

    /** Where a {@link #postgres} container's database is. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + POSTGRES_USER;
    }

    /** The server stops (SIGTERM, then SIGKILL after 10 s); the container and what it stored stay. */
    public void stop() {
        DockerClientFactory.instance().client().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
    }

    /** The stopped server starts again on the same port; returns once it answers its readiness command. */
    public void start() {
        DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
        ready.waitUntilReady(container);
    }

    @Override
    public void close() {
        if (container.isCreated()) {
            container.stop();
        }
    }
}
