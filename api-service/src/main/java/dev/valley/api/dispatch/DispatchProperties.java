package dev.valley.api.dispatch;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

@Validated
@ConfigurationProperties("valley.dispatch")
public record DispatchProperties(
        @NotBlank @DefaultValue("default") String defaultPool,
        @DefaultValue("200ms") Duration publishInterval,
        @DefaultValue("10s") Duration confirmTimeout,
        @Min(1) @DefaultValue("100") int batchSize) {
}
