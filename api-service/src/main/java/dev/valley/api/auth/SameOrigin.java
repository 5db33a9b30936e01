package dev.valley.api.auth;

import dev.valley.api.web.Problems;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses what a web page of another site can make a browser send. A form on any page can POST multipart or plain
 * text to Valley without the page's script seeing the answer, and without a preflight; so a request that changes
 * state and comes from another origin ({@code Origin} of another host, {@code Origin: null},
 * {@code Sec-Fetch-Site: cross-site}) is a 403. Clients that are not browsers send neither header. An open Valley
 * (no tokens, loopback only) also answers only to a loopback {@code Host}: a page whose own name resolves to
 * 127.0.0.1 (DNS rebinding) could otherwise read it as its own origin.
 */
final class SameOrigin extends OncePerRequestFilter {
    private static final Set<String> READING = Set.of("GET", "HEAD", "OPTIONS");

    private final boolean open;

    SameOrigin(boolean open) {
        this.open = open;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String host = hostName(request.getHeader("Host"));
        if (open && !isLoopback(host)) {
            Problems.write(request, response, HttpStatus.FORBIDDEN, "Forbidden", "this Valley runs without tokens "
                    + "and answers only to localhost, 127.0.0.1 or [::1] as its Host");
            return;
        }
        if (!READING.contains(request.getMethod()) && crossSite(request, host)) {
            Problems.write(request, response, HttpStatus.FORBIDDEN, "Forbidden", "a request that changes state "
                    + "from another site's page is refused (Origin " + request.getHeader("Origin") + ")");
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean crossSite(HttpServletRequest request, String host) {
        if ("cross-site".equals(request.getHeader("Sec-Fetch-Site"))) {
            return true;
        }
        String origin = request.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        try {
            String originHost = URI.create(origin.trim()).getHost();
            return originHost == null || !originHost.toLowerCase(Locale.ROOT).equals(host);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** The name in a Host header, without its port, lower case; "" when there is none. */
    static String hostName(String header) {
        if (header == null) {
            return "";
        }
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
    }
}
