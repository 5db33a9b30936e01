package dev.valley.api.web;

import java.sql.SQLException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Whether a failure means the database is away (stopped, restarting, connection cut) rather than that the request or
 * the data are wrong: then the same work can be tried again later. PostgreSQL says so with SQLSTATE class 08
 * (connection exception) and 57P01..57P03 (shut down by the operator, crashed, starting up); a connection the
 * pool handed out before a restart fails with one of those, wrapped in whatever the JPA layer made of it.
 */
public final class DatabaseOutage {
    private static final String HIKARI_CLOSED = "Connection is closed";

    private DatabaseOutage() {
    }

    public static boolean isCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CannotCreateTransactionException || t instanceof DataAccessResourceFailureException
                    || t instanceof TransientDataAccessException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
            // Hikari's stand-in for a connection the pool already evicted says so without an SQLSTATE. Spring
            // throws it (from the rollback) in place of the 57P01 that made the transaction roll back.
            if (t instanceof SQLException sql && sql.getSQLState() == null
                    && HIKARI_CLOSED.equals(sql.getMessage())) {
                return true;
            }
        }
        return false;
    }
}
