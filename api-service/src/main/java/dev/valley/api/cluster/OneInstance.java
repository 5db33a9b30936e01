package dev.valley.api.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Runs a duty on one api-service instance at a time, however many replicas share the database: the duty holds a
 * PostgreSQL session-level advisory lock, on a connection of its own (outside any transaction, so that the duty's own
 * transactions are unaffected), and an instance that cannot take it at once skips its turn. A process that dies
 * holding the lock loses its connection, and the lock with it. {@link #holdForTransaction} is the lock for work
 * that must not run twice at once but must not be skipped either: it waits, within the caller's transaction.
 */
@Component
public class OneInstance {
    private final DataSource dataSource;
    private final JdbcClient db;

    OneInstance(DataSource dataSource, JdbcClient db) {
        this.dataSource = dataSource;
        this.db = db;
    }

    /**
     * Takes the transaction-scoped lock of {@code name} in the caller's transaction, waiting while another holds it:
     * the same work on another instance (or thread) waits until this transaction ends.
     */
    public void holdForTransaction(String name) {
        db.sql("select pg_advisory_xact_lock(hashtext(?))").param("valley:" + name).query(Object.class).list();
    }

    /** Runs {@code duty} unless another instance is running the duty of that name; returns whether it ran. */
    public boolean runAlone(String name, Runnable duty) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            if (!lock(connection, "select pg_try_advisory_lock(hashtext(?))", name)) {
                return false;
            }
            try {
                duty.run();
                return true;
            } finally {
                lock(connection, "select pg_advisory_unlock(hashtext(?))", name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the lock of " + name + " could not be taken: " + e.getMessage(), e);
        }
    }

    private static boolean lock(Connection connection, String sql, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, "valley:" + name);
            try (ResultSet rs = statement.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }
}
