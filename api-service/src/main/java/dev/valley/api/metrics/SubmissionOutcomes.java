package dev.valley.api.metrics;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts the submissions refused, by reason, whatever refused them (the token check before the controller, the JSON
 * reader, validation, a quota): it sits first in the chain and reads the status the answer ended with.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class SubmissionOutcomes extends OncePerRequestFilter {
    private final ApiMetrics metrics;

    SubmissionOutcomes(ApiMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod()) || !"/api/v1/jobs".equals(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } finally {
            int status = response.getStatus();
            if (status >= 400) {
                metrics.refused(reason(status));
            }
        }
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "invalid";
            case 401 -> "unauthenticated";
            case 403 -> "forbidden";
            case 409 -> "conflict";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            case 429 -> "quota";
            case 503 -> "unavailable";
            default -> "status-" + status;
        };
    }
}
