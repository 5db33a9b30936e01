package dev.valley.api.auth;

import dev.valley.api.web.Problems;
import jakarta.servlet.DispatcherType;
import java.net.InetAddress;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Spring Security in front of everything: its {@link StrictHttpFirewall} refuses, before any routing, the spellings
 * of a path that a route matcher and the servlet container could read differently ({@code ;} parameters, encoded
 * slashes, periods and percents, {@code //}, {@code ..}, backslashes, non-printable characters), each as a 400;
 * then a bearer token is looked for and checked ({@link BearerTokens}), and {@link AccessRules} decide. No token or an
 * unknown one is a 401 with {@code WWW-Authenticate: Bearer}, too small a role a 403, both problem details.
 *
 * <p>{@code valley.auth.mode=open} lets every request through and is refused unless the server listens on a loopback
 * address; a Valley with tokens on and none configured does not start either, and says why. In both modes a request
 * that changes state from another site's page ({@link SameOrigin}) is refused.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain valleySecurity(HttpSecurity http, AuthProperties auth, ServerProperties server) {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // Its no-store on every answer would make browsers fetch the dashboard's 5 MB script on every visit;
                // nothing Valley answers is private to a session (tokens are not cookies).
                .headers(h -> h.cacheControl(c -> c.disable()))
                .addFilterBefore(new SameOrigin(auth.mode() == AuthProperties.Mode.OPEN),
                        BasicAuthenticationFilter.class);
        if (auth.mode() == AuthProperties.Mode.OPEN) {
            requireLoopback(server.getAddress());
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        Tokens tokens = new Tokens(auth.tokens());
        if (tokens.isEmpty()) {
            throw new IllegalStateException("valley.auth.tokens is empty: configure role:token entries "
                    + "(VALLEY_AUTH_TOKENS=admin:<token>,read:<token>), or valley.auth.mode=open on 127.0.0.1");
        }
        BearerTokens bearer = new BearerTokens(tokens);
        AuthenticationFilter authentication = new AuthenticationFilter(new ProviderManager(bearer), bearer);
        authentication.setSuccessHandler((request, response, result) -> {
        });
        AuthenticationFailureHandler unauthorized = unauthorized();
        authentication.setFailureHandler(unauthorized);
        http.addFilterBefore(authentication, BasicAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthorized::onAuthenticationFailure)
                        .accessDeniedHandler(forbidden()))
                .authorizeHttpRequests(a -> {
                    // Servlet-internal dispatches of a request that was already let in: errors and async streams.
                    a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
                    for (AccessRules.Rule rule : AccessRules.RULES) {
                        if (rule.role() == null) {
                            a.requestMatchers(rule.matcher()).permitAll();
                        } else {
                            a.requestMatchers(rule.matcher()).hasRole(rule.role().name());
                        }
                    }
                    a.anyRequest().hasRole(Role.ADMIN.name());
                });
        return http.build();
    }

    @Bean
    RoleHierarchy roleHierarchy() {
        return Role.hierarchy();
    }

    /** The firewall's refusals are 400s as problem details, not the 500 its default handler leaves them as. */
    @Bean
    RequestRejectedHandler requestRejected() {
        return (request, response, rejected) -> Problems.write(request, response, HttpStatus.BAD_REQUEST,
                "Malformed request", "the request's path is not in a form this Valley accepts: "
                        + rejected.getMessage());
    }

    private static void requireLoopback(InetAddress address) {
        if (address == null || !address.isLoopbackAddress()) {
            throw new IllegalStateException("valley.auth.mode=open lets anyone submit jobs, so it needs "
                    + "server.address on a loopback address (127.0.0.1); this server would listen on "
                    + (address == null ? "every interface" : address.getHostAddress())
                    + ". Configure valley.auth.tokens instead.");
        }
    }

    private static AuthenticationFailureHandler unauthorized() {
        return (request, response, failure) -> {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"valley\"");
            Problems.write(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", detail(failure));
        };
    }

    private static String detail(AuthenticationException failure) {
        return failure instanceof org.springframework.security.authentication.BadCredentialsException
                ? failure.getMessage() : "this Valley needs a bearer token: Authorization: Bearer <token>";
    }

    private static AccessDeniedHandler forbidden() {
        return (request, response, denied) -> {
            Authentication who = org.springframework.security.core.context.SecurityContextHolder.getContext()
                    .getAuthentication();
            String has = who instanceof BearerToken token && token.role() != null ? token.role().label() : "none";
            String needs = AccessRules.needed(request).map(Role::label).orElse("no");
            Problems.write(request, response, HttpStatus.FORBIDDEN, "Forbidden", request.getMethod() + " "
                    + request.getRequestURI() + " needs the " + needs + " role; this token has " + has);
        };
    }
}
