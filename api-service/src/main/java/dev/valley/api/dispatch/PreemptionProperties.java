package dev.valley.api.dispatch;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Preemption ({@code valley.dispatch.preemption}, off by default): when a job of priority {@code priority} or more
 * has had its dispatch on its pool's queue for {@code after} and no worker took it, the pool's running job of the
 * lowest priority (lower than the waiting one's; {@code train}, {@code curve}, {@code swa} or {@code fge}, which
 * resume from their checkpoints) is asked to hand back. Checked every {@code check}.
 */
@Validated
@ConfigurationProperties("valley.dispatch.preemption")
public record PreemptionProperties(
        @DefaultValue("false") boolean enabled,
        @Min(1) @Max(9) @DefaultValue("8") int priority,
        @DefaultValue("30s") Duration after,
        @DefaultValue("5s") Duration check) {
}
