package dev.valley.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL from zonky's binaries, its data kept in {@code dataDir} across restarts. zonky creates the cluster
 * trusting every local connection; on the first start the superuser gets {@code password} and the cluster is told to
 * ask for it (scram-sha-256) on every connection, the Unix socket's too.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final String PASSWORDS_ONLY = """
            # Valley: every connection gives the password in the state folder's credentials.properties.
            local all all scram-sha-256
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedDatabase start(Path dataDir, String password) {
        return start(dataDir, FreePorts.next(), password);
    }

    /** On a given port: a test that stops the server starts it again where its clients look for it. */
    public static EmbeddedDatabase start(Path dataDir, int port, String password) {
        try {
            Files.createDirectories(dataDir);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("password_encryption", "scram-sha-256")
                    // zonky's own readiness check connects too.
                    .setConnectConfig("password", password)
                    .start();
            Path hba = dataDir.resolve("pg_hba.conf");
            if (!Files.readString(hba).equals(PASSWORDS_ONLY)) {
                try (Connection c = postgres.getPostgresDatabase().getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("alter role postgres password '" + password.replace("'", "''") + "'");
                    Files.writeString(hba, PASSWORDS_ONLY);
                    s.execute("select pg_reload_conf()");
                }
            }
            return new EmbeddedDatabase(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("embedded PostgreSQL did not start in " + dataDir, e);
        } catch (SQLException e) {
            throw new IllegalStateException("embedded PostgreSQL in " + dataDir + " refused its password", e);
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    public String username() {
        return "postgres";
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
