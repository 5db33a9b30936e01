package dev.valley.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may do what, by method and route, in order: the first rule that matches a request decides. Routes are matched
 * as Spring MVC matches them (decoded, without {@code ;} parameters), after the firewall has refused every spelling
 * that is not plain; whatever no rule names needs {@link Role#ADMIN}.
 *
 * <table>
 *   <tr><th>route</th><th>methods</th><th>needs</th></tr>
 *   <tr><td>/actuator/health/**, the OpenAPI document, the dashboard's files</td><td>GET, HEAD</td><td>nothing</td></tr>
 *   <tr><td>/api/v1/datasets/{id}</td><td>DELETE</td><td>admin</td></tr>
 *   <tr><td>/api/**, /actuator/prometheus</td><td>GET, HEAD, OPTIONS</td><td>read</td></tr>
 *   <tr><td>/api/**</td><td>any other</td><td>submit</td></tr>
 *   <tr><td>anything else</td><td>any</td><td>admin</td></tr>
 * </table>
 */
final class AccessRules {
    private static final List<HttpMethod> READING = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    /** {@code role} null: open to everyone. */
    record Rule(RequestMatcher matcher, Role role) {
    }

    static final List<Rule> RULES = build();

    private AccessRules() {
    }

    private static List<Rule> build() {
        List<Rule> rules = new java.util.ArrayList<>();
        for (String open : List.of("/actuator/health", "/actuator/health/**", "/api/v1/openapi", "/api/v1/openapi/**",
                "/api/v1/openapi.yaml", "/", "/index.html", "/assets/**", "/favicon.ico")) {
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD)) {
                rules.add(new Rule(PathPatternRequestMatcher.pathPattern(method, open), null));
            }
        }
        rules.add(new Rule(PathPatternRequestMatcher.pathPattern(HttpMethod.DELETE, "/api/v1/datasets/**"),
                Role.ADMIN));
        for (HttpMethod method : READING) {
            rules.add(new Rule(PathPatternRequestMatcher.pathPattern(method, "/api/**"), Role.READ));
            rules.add(new Rule(PathPatternRequestMatcher.pathPattern(method, "/actuator/prometheus"), Role.READ));
        }
        rules.add(new Rule(PathPatternRequestMatcher.pathPattern("/api/**"), Role.SUBMIT));
        return List.copyOf(rules);
    }

    /** The role a request needs; empty where it needs none. */
    static Optional<Role> needed(HttpServletRequest request) {
        return RULES.stream().filter(r -> r.matcher().matches(request)).findFirst()
                .map(r -> Optional.ofNullable(r.role())).orElse(Optional.of(Role.ADMIN));
    }
}
