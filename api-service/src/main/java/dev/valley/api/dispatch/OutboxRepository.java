package dev.valley.api.dispatch;

import java.time.Instant;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;
import org.springframework.transaction.annotation.Transactional;

public interface OutboxRepository extends JpaRepository<OutboxMessage, Long> {
    /**
     * Unsent rows whose time has come, oldest first, at most {@code limit}, locked for this transaction, and without the rows another transaction holds ({@code FOR UPDATE SKIP
     * LOCKED}): two api-service instances publishing at once each take different rows, so none is published twice.
     */
    @Query(nativeQuery = true, value = """
            select * from outbox
            where sent_at is null and (available_at is null or available_at <= :now)
            order by id limit :limit
            for update skip locked""")
    List<OutboxMessage> claimDue(@Param("now") Instant now, @Param("limit") int limit);

    long countBySentAtIsNull();

    @Transactional
    @Modifying
    @Query("update OutboxMessage o set o.sentAt = :at where o.id = :id and o.sentAt is null")
    int markSent(@Param("id") long id, @Param("at") Instant at);
}
