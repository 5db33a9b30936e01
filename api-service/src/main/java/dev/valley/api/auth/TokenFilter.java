package dev.valley.api.auth;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bearer tokens on {@code /api/*}: reading needs {@link Role#READ}, anything that changes state (submit, cancel)
 * {@link Role#SUBMIT}. No token or an unknown one is a 401, too small a role a 403, both as problem details. The
 * OpenAPI document and actuator's health stay open.
 */
final class TokenFilter extends OncePerRequestFilter {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BEARER = "Bearer ";

    private final Tokens tokens;

    TokenFilter(Tokens tokens) {
        this.tokens = tokens;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !path.startsWith("/api/") || path.startsWith("/api/v1/openapi");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        // A browser's EventSource cannot send headers: an event stream may carry the token as access_token.
        String query = header == null && request.getRequestURI().endsWith("/events")
                ? request.getParameter("access_token") : null;
        Optional<Role> role = header != null ? (header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                ? tokens.roleOf(header.substring(BEARER.length()).trim()) : Optional.empty())
                : query != null ? tokens.roleOf(query) : Optional.empty();
        if (role.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"valley\"");
            refuse(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", header == null && query == null
                    ? "this Valley needs a bearer token: Authorization: Bearer <token>"
                    : "the bearer token is not one this Valley knows");
            return;
        }
        Role needed = switch (request.getMethod()) {
            case "GET", "HEAD", "OPTIONS" -> Role.READ;
            default -> Role.SUBMIT;
        };
        if (!role.get().allows(needed)) {
            refuse(request, response, HttpStatus.FORBIDDEN, "Forbidden", request.getMethod() + " "
                    + request.getRequestURI() + " needs the " + needed.label() + " role; this token has "
                    + role.get().label());
            return;
        }
        chain.doFilter(request, response);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String title, String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        problem.setInstance(java.net.URI.create(request.getRequestURI()));
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), problem);
    }
}
