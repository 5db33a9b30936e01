package dev.valley.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.orm.jpa.JpaSystemException;

/** The failures seen while PostgreSQL restarted (FaultsTest), as Spring and Hibernate wrapped them. */
class DatabaseOutageTest {

    @Test
    void aTerminatedConnectionIsAnOutage() {
        SQLException terminated = new SQLException("FATAL: terminating connection due to administrator command",
                "57P01");
        assertThat(DatabaseOutage.isCause(new JpaSystemException(new RuntimeException("JDBC exception", terminated))))
                .isTrue();
    }

    /** The rollback of that transaction fails on Hikari's closed stand-in, and Spring throws that instead. */
    @Test
    void aRollbackOnAnEvictedConnectionIsAnOutage() {
        SQLException closed = new SQLException("Connection is closed");
        assertThat(DatabaseOutage.isCause(new JpaSystemException(new RuntimeException(
                "Unable to rollback against JDBC Connection", closed)))).isTrue();
    }

    @Test
    void aConstraintViolationIsNot() {
        SQLException duplicate = new SQLException("duplicate key value violates unique constraint", "23505");
        assertThat(DatabaseOutage.isCause(new JpaSystemException(new RuntimeException("JDBC exception", duplicate))))
                .isFalse();
        assertThat(DatabaseOutage.isCause(new JpaSystemException(new RuntimeException("x",
                new SQLException("Connection is closed", "42000"))))).isFalse();
    }
}
