package dev.valley.api.auth;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Who may call the API. {@code tokens} are {@code role:token} entries ({@code VALLEY_AUTH_TOKENS=admin:…,read:…});
 * {@code open} lets every request through and is refused unless the server listens on a loopback address only (the
 * local run).
 */
@ConfigurationProperties("valley.auth")
public record AuthProperties(@DefaultValue("tokens") Mode mode, @DefaultValue({}) List<String> tokens) {

    public enum Mode { TOKENS, OPEN }
}
