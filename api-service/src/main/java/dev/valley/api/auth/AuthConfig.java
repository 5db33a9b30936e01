package dev.valley.api.auth;

import java.net.InetAddress;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Tokens unless the operator says otherwise; {@code valley.auth.mode=open} only on a loopback address. A Valley that
 * would start open to the network, or with tokens on but none configured, does not start, and says why.
 */
@Configuration(proxyBeanMethods = false)
class AuthConfig {

    @Bean
    FilterRegistrationBean<TokenFilter> tokenFilter(AuthProperties auth, ServerProperties server) {
        FilterRegistrationBean<TokenFilter> registration = new FilterRegistrationBean<>();
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
        if (auth.mode() == AuthProperties.Mode.OPEN) {
            InetAddress address = server.getAddress();
            if (address == null || !address.isLoopbackAddress()) {
                throw new IllegalStateException("valley.auth.mode=open lets anyone submit jobs, so it needs "
                        + "server.address on a loopback address (127.0.0.1); this server would listen on "
                        + (address == null ? "every interface" : address.getHostAddress())
                        + ". Configure valley.auth.tokens instead.");
            }
            registration.setEnabled(false);
            registration.setFilter(new TokenFilter(new Tokens(java.util.List.of())));
            return registration;
        }
        Tokens tokens = new Tokens(auth.tokens());
        if (tokens.isEmpty()) {
            throw new IllegalStateException("valley.auth.tokens is empty: configure role:token entries "
                    + "(VALLEY_AUTH_TOKENS=admin:<token>,read:<token>), or valley.auth.mode=open on 127.0.0.1");
        }
        registration.setFilter(new TokenFilter(tokens));
        registration.addUrlPatterns("/api/*");
        return registration;
    }
}
