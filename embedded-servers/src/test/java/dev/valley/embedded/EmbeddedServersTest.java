package dev.valley.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Each embedded server answers its real protocol: SQL over JDBC, AMQP 0-9-1, and the S3 API. */
class EmbeddedServersTest {
    @TempDir
    static Path home;
    static Infrastructure servers;

    @BeforeAll
    static void start() {
        servers = Infrastructure.embedded(home);
    }

    @AfterAll
    static void stop() {
        servers.close();
    }

    @Test
    void postgresRunsSql() throws Exception {
        Map<String, Object> p = servers.properties();
        try (var connection = DriverManager.getConnection((String) p.get("spring.datasource.url"),
                (String) p.get("spring.datasource.username"), (String) p.get("spring.datasource.password"));
                ResultSet rs = connection.createStatement().executeQuery("select 6 * 7")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(42);
        }
    }

    @Test
    void brokerRoutesAndDeadLettersLikeRabbitMq() throws Exception {
        ConnectionFactory factory = broker();
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            channel.queueDeclare("probe.dead", true, false, false, null);
            channel.queueBind("probe.dead", "valley.dlx", "");
            // A RabbitMQ-only argument must not close the connection.
            channel.queueDeclare("probe", true, false, false, Map.of("x-dead-letter-exchange", "valley.dlx"));
            channel.basicPublish("", "probe", null, "hello".getBytes(StandardCharsets.UTF_8));
            GetResponse got = awaitMessage(channel, "probe");
            assertThat(new String(got.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
            channel.basicReject(got.getEnvelope().getDeliveryTag(), false);
            assertThat(new String(awaitMessage(channel, "probe.dead").getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }

    private static GetResponse awaitMessage(Channel channel, String queue) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        GetResponse response;
        while ((response = channel.basicGet(queue, false)) == null) {
            assertThat(System.nanoTime()).as("a message on " + queue).isLessThan(deadline);
            Thread.onSpinWait();
        }
        return response;
    }

    private static ConnectionFactory broker() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost((String) servers.properties().get("spring.rabbitmq.host"));
        factory.setPort((Integer) servers.properties().get("spring.rabbitmq.port"));
        factory.setUsername((String) servers.properties().get("spring.rabbitmq.username"));
        factory.setPassword((String) servers.properties().get("spring.rabbitmq.password"));
        return factory;
    }

    private static S3Client s3(String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(URI.create((String) servers.properties().get("valley.storage.endpoint")))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey,
                        secretKey)))
                .build();
    }

    /**
     * The state folder's credentials are random, kept in it readable by its owner alone, and every server asks for
     * them: the fixed ones of old (no password, guest/guest, valley/valley-secret) and wrong ones are refused.
     */
    @Test
    void everyServerAsksForTheStateFoldersOwnCredentials() throws Exception {
        Path file = home.resolve(Credentials.FILE);
        assertThat(java.nio.file.Files.getPosixFilePermissions(file))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Credentials credentials = Credentials.in(home);
        assertThat(credentials.databasePassword()).hasSizeGreaterThanOrEqualTo(32)
                .isNotEqualTo(Credentials.in(java.nio.file.Files.createTempDirectory("other-home"))
                        .databasePassword());
        Map<String, Object> p = servers.properties();
        String url = (String) p.get("spring.datasource.url");
        for (String password : new String[] {"", "postgres", credentials.databasePassword() + "x"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DriverManager.getConnection(url, "postgres",
                    password).close()).as("password '%s'", password).isInstanceOf(java.sql.SQLException.class)
                    .hasMessageContaining("password");
        }
        ConnectionFactory guest = broker();
        guest.setUsername("guest");
        guest.setPassword("guest");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> guest.newConnection().close())
                .isInstanceOf(Exception.class);
        try (S3Client fixed = s3("valley", "valley-secret")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> fixed.listBuckets())
                    .isInstanceOf(software.amazon.awssdk.services.s3.model.S3Exception.class);
        }
        try (S3Client own = s3(credentials.storageAccessKey(), credentials.storageSecretKey())) {
            own.listBuckets();
        }
    }

    /** A restart finds the cluster asking for the password it was given, and gives it. */
    @Test
    void theStateFolderStartsAgainWithItsCredentials() throws Exception {
        Path other = java.nio.file.Files.createTempDirectory("valley-restart-");
        Infrastructure.embedded(other).close();
        try (Infrastructure again = Infrastructure.embedded(other)) {
            Map<String, Object> p = again.properties();
            try (var connection = DriverManager.getConnection((String) p.get("spring.datasource.url"),
                    "postgres", (String) p.get("spring.datasource.password"))) {
                assertThat(connection.isValid(5)).isTrue();
            }
            assertThat(p.get("spring.datasource.password")).isEqualTo(Credentials.in(other).databasePassword());
        }
    }

    @Test
    void objectStoreSpeaksS3() {
        Map<String, Object> p = servers.properties();
        try (S3Client s3 = s3((String) p.get("valley.storage.access-key"), (String) p.get("valley.storage.secret-key"))) {
            s3.createBucket(b -> b.bucket("probe"));
            s3.putObject(b -> b.bucket("probe").key("a/b.txt"), RequestBody.fromString("weights"));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("probe").key("a/b.txt")).asUtf8String()).isEqualTo("weights");
            assertThat(home.resolve("objects/probe/a/b.txt")).exists();
        }
    }
}
