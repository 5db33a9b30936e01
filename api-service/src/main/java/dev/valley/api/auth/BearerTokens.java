package dev.valley.api.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Finds the bearer token of a request ({@link AuthenticationConverter}) and checks it against the configured
 * {@link Tokens} ({@link AuthenticationProvider}). A browser's EventSource cannot send headers, so the two event-stream
 * routes, matched as routes, also take the token as the {@code access_token} query parameter; no other route does.
 */
final class BearerTokens implements AuthenticationConverter, AuthenticationProvider {
    private static final String BEARER = "Bearer ";
    static final RequestMatcher EVENT_STREAMS = new OrRequestMatcher(
            PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/api/v1/jobs/events"),
            PathPatternRequestMatcher.pathPattern(HttpMethod.GET, "/api/v1/jobs/{id}/events"));

    private final Tokens tokens;

    BearerTokens(Tokens tokens) {
        this.tokens = tokens;
    }

    /** Null where the request carries no token at all: then it is anonymous, and the rules decide. */
    @Override
    public Authentication convert(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header != null) {
            if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                throw new BadCredentialsException("the Authorization header is not a bearer token; send "
                        + "Authorization: Bearer <token>");
            }
            return BearerToken.presented(header.substring(BEARER.length()).trim());
        }
        String query = EVENT_STREAMS.matches(request) ? request.getParameter("access_token") : null;
        return query == null ? null : BearerToken.presented(query);
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        return tokens.grantOf((String) authentication.getCredentials()).map(BearerToken::authenticated)
                .orElseThrow(() -> new BadCredentialsException("the bearer token is not one this Valley knows"));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerToken.class.isAssignableFrom(authentication);
    }
}
