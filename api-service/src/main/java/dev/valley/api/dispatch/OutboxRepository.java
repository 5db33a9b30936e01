package dev.valley.api.dispatch;

import java.time.Instant;
import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface OutboxRepository extends JpaRepository<OutboxMessage, Long> {
    /** Unsent rows whose time has come, oldest first. */
    @Query("""
            select o from OutboxMessage o
            where o.sentAt is null and (o.availableAt is null or o.availableAt <= :now) order by o.id""")
    List<OutboxMessage> findDue(@Param("now") Instant now, Limit limit);

    long countBySentAtIsNull();

    @Transactional
    @Modifying
    @Query("update OutboxMessage o set o.sentAt = :at where o.id = :id and o.sentAt is null")
    int markSent(@Param("id") long id, @Param("at") Instant at);
}
